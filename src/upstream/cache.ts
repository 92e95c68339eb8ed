import { LRUCache } from 'lru-cache';

/**
 * Where answers of upstream tasks are kept between requests. Errors are never stored. The in-memory store is the
 * default; anything implementing this interface (Redis, Memcached …) can replace it to share a cache between
 * server processes — keys are strings, values plain JSON.
 */
export interface CacheStore {
  get(key: string): Promise<CachedAnswer | undefined>;
  set(key: string, value: CachedAnswer, ttlMs: number): Promise<void>;
}

/** An upstream task's result, and how many rows it holds (to weigh it). */
export interface CachedAnswer {
  result: unknown;
  rows: number;
}

/** Roughly what one row of an answer weighs in memory; a referring domain with its maps is about this. */
const KIB_PER_ROW = 2;

/** An LRU store bounded by an estimate of the memory its answers take. */
export function createMemoryCacheStore(options: { maxMegabytes: number }): CacheStore {
  const cache = new LRUCache<string, CachedAnswer>({
    maxSize: Math.max(1, options.maxMegabytes * 1024),
    sizeCalculation: (answer) => KIB_PER_ROW * (1 + answer.rows),
    ttlAutopurge: false,
  });
  return {
    get: (key) => Promise.resolve(cache.get(key)),
    set: (key, value, ttlMs) => {
      cache.set(key, value, { ttl: ttlMs });
      return Promise.resolve();
    },
  };
}
