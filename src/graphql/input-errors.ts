import { GraphQLError } from 'graphql';

/**
 * A rejected argument: `BAD_USER_INPUT` with the argument's path, the value given and what is allowed. Thrown
 * before any upstream call, so bad input never costs money.
 */
export function badUserInput(argument: string, value: unknown, allowed: string, problem?: string): GraphQLError {
  const shown = JSON.stringify(value) ?? String(value);
  // A long value comes back clipped: enough to recognise it, not the client's 90 KB twice.
  const echoed = shown.length > QUOTED_MAX_CHARS ? `${shown.slice(0, QUOTED_MAX_CHARS)}…` : value;
  return new GraphQLError(clipQuoted(`Argument "${argument}" ${problem ?? `has the value ${shown}`}; allowed: ${allowed}.`), {
    extensions: { code: 'BAD_USER_INPUT', argument, value: echoed, allowed },
  });
}

/** How much of a client's string an error message quotes back. */
export const QUOTED_MAX_CHARS = 200;
const LONG_QUOTED = new RegExp(`"((?:[^"\\\\]|\\\\.){${QUOTED_MAX_CHARS}})(?:[^"\\\\]|\\\\.)+"`, 'g');

/**
 * A message with every quoted string over QUOTED_MAX_CHARS clipped (graphql-js quotes values and names whole), and
 * the whole at most 1000 characters.
 */
export function clipQuoted(message: string): string {
  if (message.length <= QUOTED_MAX_CHARS) return message;
  const clipped = message.replace(LONG_QUOTED, '"$1…"');
  return clipped.length > 1000 ? `${clipped.slice(0, 1000)}…` : clipped;
}
