import { GraphQLError } from 'graphql';

/**
 * A rejected argument: `BAD_USER_INPUT` with the argument's path, the value given and what is allowed. Thrown
 * before any upstream call, so bad input never costs money.
 */
export function badUserInput(argument: string, value: unknown, allowed: string, problem?: string): GraphQLError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return new GraphQLError(`Argument "${argument}" ${problem ?? `has the value ${shown}`}; allowed: ${allowed}.`, {
    extensions: { code: 'BAD_USER_INPUT', argument, value, allowed },
  });
}
