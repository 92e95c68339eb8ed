import type { SharedRedis } from './redis.js';

// Apart from redis.ts, which imports ioredis: the shared cache, flights and limiter use this, and a server without
// REDIS_URL must not load the Redis client (server.ts imports redis.ts only when it is set).

/** A Lua script run by its SHA (EVALSHA; ioredis loads it again when Redis forgot it, after a restart). */
export type Script = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

/** Defines the Lua script `source` on the connection of `redis` under `name`. */
export function script(redis: SharedRedis, name: string, source: string): Script {
  redis.client.defineCommand(name, { lua: source });
  const command = (redis.client as unknown as Record<string, ((...args: (string | number)[]) => Promise<unknown>) | undefined>)[name];
  if (!command) throw new Error(`script ${name} was not defined`);
  return (keys, args) => redis.timed(command.call(redis.client, keys.length, ...keys, ...args));
}
