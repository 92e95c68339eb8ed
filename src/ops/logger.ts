import type { YogaLogger } from 'graphql-yoga';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** What a log line may say about an error: its kind and message, never request bodies or headers. */
function describe(value: unknown): Record<string, unknown> {
  if (value instanceof Error) {
    const code =
      (value as { code?: unknown; extensions?: { code?: unknown } }).code ??
      (value as { extensions?: { code?: unknown } }).extensions?.code;
    return {
      err: {
        name: value.name,
        message: value.message,
        ...(code !== undefined ? { code } : {}),
        ...(value.stack ? { stack: value.stack } : {}),
      },
    };
  }
  if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
  return { msg: String(value) };
}

/** A logger writing one JSON object per line to stdout. Callers pass fields they chose; nothing else is added. */
export function createJsonLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(line),
): YogaLogger & { log(level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void } {
  const min = ORDER[level];
  const log = (at: Exclude<LogLevel, 'silent'>, msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[at] >= min) write(`${JSON.stringify({ time: new Date().toISOString(), level: at, msg, ...fields })}\n`);
  };
  const yoga =
    (at: Exclude<LogLevel, 'silent'>) =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      const fields: Record<string, unknown> = {};
      for (const value of rest) Object.assign(fields, describe(value));
      if (typeof first !== 'string') Object.assign(fields, describe(first));
      log(at, typeof first === 'string' ? first : first instanceof Error ? first.message : at, fields);
    };
  return { log, debug: yoga('debug'), info: yoga('info'), warn: yoga('warn'), error: yoga('error') };
}
