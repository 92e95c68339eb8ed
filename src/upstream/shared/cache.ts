import { createHash } from 'node:crypto';
import type { CacheStore, CachedAnswer } from '../cache.js';
import type { SharedRedis } from './redis.js';
import { script } from './script.js';

/**
 * The upstream answer cache in Redis, shared by every replica (the `CacheStore` interface; errors are never given
 * to it). An entry is the answer's JSON under a hash of its task key, with the task key inside (a hash collision
 * reads as a miss), expiring after its TTL.
 *
 * Bounded by the cache itself, not by Redis's eviction: an index (a sorted set of entries by expiry time, their
 * sizes, a byte total) is updated by the one script that writes an entry, which first forgets entries that expired
 * and then, while the total exceeds `maxMegabytes`, drops the entries that would expire first. So `CACHE_MAX_MB`
 * means the same with Redis as without it, and the keys of the shared limits and locks, which live in the same
 * Redis, are never evicted to make room for answers: run Redis with `maxmemory-policy noeviction` (a full Redis then
 * refuses writes, and the replicas fall back to their local share, fail closed) and a `maxmemory` above
 * CACHE_MAX_MB. An entry larger than an eighth of the cache is not stored: one answer cannot empty it.
 *
 * While Redis is unreachable, every read is a miss and every write is skipped: answers are fetched (within the
 * local share of the limits), never refused for want of the cache.
 */

/** Options of `createRedisCacheStore`. */
export interface RedisCacheOptions {
  /** The bound of the entries' total size, MiB. */
  maxMegabytes: number;
  /** Key names under the prefix; a second store (single-flight answers with the cache off) uses another. Default `cache`. */
  namespace?: string | undefined;
}

/** What Redis keeps per key beyond its value, roughly; counted so that many tiny entries are bounded too. */
const ENTRY_OVERHEAD_BYTES = 100;

/**
 * KEYS: entry, index, sizes, total. ARGV: value, ttlMs, size, maxBytes. Entries that leave the index (expired or
 * dropped) are named by the index itself: this script runs on a single Redis (or one primary), not on a cluster.
 */
const SET_BOUNDED = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local entry, index, sizes, totalKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local ttl, size, maxBytes = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local total = tonumber(redis.call('GET', totalKey) or '0') or 0
local function forget(name)
  total = total - (tonumber(redis.call('HGET', sizes, name) or '0') or 0)
  redis.call('HDEL', sizes, name)
  redis.call('ZREM', index, name)
end
for _, name in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', now, 'LIMIT', 0, 100)) do forget(name) end
forget(entry)
redis.call('SET', entry, ARGV[1], 'PX', ttl)
redis.call('ZADD', index, now + ttl, entry)
redis.call('HSET', sizes, entry, size)
total = total + size
while total > maxBytes do
  local first = redis.call('ZRANGE', index, 0, 0)[1]
  if not first then break end
  forget(first)
  redis.call('DEL', first)
end
if total < 0 then total = 0 end
redis.call('SET', totalKey, total)
return total
`;

/** The store; `redis` says whether Redis is usable now. */
export function createRedisCacheStore(redis: SharedRedis, options: RedisCacheOptions): CacheStore & { readonly maxEntryBytes: number } {
  const namespace = options.namespace ?? 'cache';
  const maxBytes = Math.max(1, Math.floor(options.maxMegabytes * 1024 * 1024));
  const maxEntryBytes = Math.floor(maxBytes / 8);
  const index = redis.key(`${namespace}:index`);
  const sizes = redis.key(`${namespace}:sizes`);
  const total = redis.key(`${namespace}:bytes`);
  const entryKey = (key: string) => redis.key(`${namespace}:${createHash('sha256').update(key).digest('base64url')}`);
  const setBounded = script(redis, `backlinksCacheSet_${namespace}`, SET_BOUNDED);

  return {
    maxEntryBytes,
    async get(key) {
      if (redis.mode() !== 'shared') return undefined;
      let text: string | null;
      try {
        text = await redis.timed(redis.client.get(entryKey(key)));
      } catch (error) {
        redis.failed(error);
        return undefined;
      }
      if (text === null) return undefined;
      try {
        const stored = JSON.parse(text) as { key?: unknown; answer?: CachedAnswer };
        return stored.key === key && stored.answer ? stored.answer : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key, value, ttlMs) {
      if (redis.mode() !== 'shared' || ttlMs <= 0) return;
      const text = JSON.stringify({ key, answer: value });
      const size = Buffer.byteLength(text) + ENTRY_OVERHEAD_BYTES;
      if (size > maxEntryBytes) return;
      const name = entryKey(key);
      try {
        await setBounded([name, index, sizes, total], [text, Math.ceil(ttlMs), size + name.length, maxBytes]);
      } catch (error) {
        redis.failed(error);
      }
    },
  };
}
