import type { Dispatcher } from 'undici';
import { createBacklinksClient, type BacklinksClient, type UpstreamCallEvent } from '../dataforseo/client.js';
import type { Provider } from '../dataforseo/providers.js';
import { createMemoryCacheStore, type CacheStore } from './cache.js';
import { createUpstreamGateway, type RetryPolicy, type UpstreamGateway, type UpstreamGatewayOptions } from './gateway.js';
import { createScheduler, type Scheduler, type SchedulerOptions } from './scheduler.js';
import { createRedisCacheStore } from './shared/cache.js';
import { createSharedFlights, type SharedFlightOptions } from './shared/flights.js';
import { createSharedLimiter, type SharedLimiterOptions } from './shared/limiter.js';
import type { SharedRedis } from './shared/redis.js';

/** What `createUpstream` builds the upstream from. */
export interface UpstreamOptions {
  /** Where calls go and how they authenticate. */
  provider: Provider;
  /** The undici dispatcher of the client (an `Agent` with its timeouts). Default: undici's global one. */
  dispatcher?: Dispatcher | undefined;
  /** Per-call headers and body timeout, ms. Default the client's (125 000). */
  timeoutMs?: number | undefined;
  /** The account's limits (concurrency, per-window cap and its window) and the queue's bounds. */
  limits: SchedulerOptions;
  retry: RetryPolicy;
  /**
   * The answer cache: a TTL of 0 (or none) disables it; `store` replaces the default (in memory, or in Redis when
   * `shared` is set).
   */
  cache?: { ttlMs: number; maxMegabytes?: number; store?: CacheStore } | undefined;
  breaker?: UpstreamGatewayOptions['breaker'];
  /** Called once per HTTP request sent to the upstream (metrics). */
  onCall?: ((event: UpstreamCallEvent) => void) | undefined;
  /**
   * Several replicas, one account: the limits, the cache and single flight are kept in Redis and shared by every
   * replica; each falls back to its share (1/`replicas` of the limits) while Redis is unreachable. None: one process.
   */
  shared?: (SharedLimiterOptions & SharedFlightOptions & { redis: SharedRedis }) | undefined;
}

/** The process-wide upstream: one client, one scheduler, one cache and one gateway that every request shares. */
export interface Upstream {
  client: BacklinksClient;
  scheduler: Scheduler;
  gateway: UpstreamGateway;
}

/** How long a single-flight answer stays readable by the waiters of other replicas when the cache is off. */
export const FLIGHT_ANSWER_TTL_MS = 30_000;

/**
 * The one composition root of client → scheduler (and its limiter) → cache → gateway. The server, the test helpers
 * and the benchmark all build their upstream here, so that a test never runs a gateway wired differently from
 * production's.
 */
export function createUpstream(options: UpstreamOptions): Upstream {
  const client = createBacklinksClient({
    provider: options.provider,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
  });
  const shared = options.shared;
  const limits = {
    maxConcurrency: options.limits.maxConcurrency,
    maxPerWindow: options.limits.maxPerWindow,
    windowMs: options.limits.windowMs ?? 60_000,
  };
  const scheduler = createScheduler(options.limits, shared ? createSharedLimiter(shared.redis, limits, shared) : undefined);
  const ttlMs = options.cache?.ttlMs ?? 0;
  const maxMegabytes = options.cache?.maxMegabytes ?? 256;
  const cache =
    ttlMs > 0
      ? (options.cache?.store ??
        (shared ? createRedisCacheStore(shared.redis, { maxMegabytes }) : createMemoryCacheStore({ maxMegabytes })))
      : undefined;
  const gateway = createUpstreamGateway({
    client,
    scheduler,
    retry: options.retry,
    cache,
    cacheTtlMs: ttlMs,
    breaker: options.breaker,
    shared: shared && {
      flights: createSharedFlights(shared.redis, shared),
      store: cache ?? createRedisCacheStore(shared.redis, { maxMegabytes, namespace: 'answers' }),
      answerTtlMs: FLIGHT_ANSWER_TTL_MS,
    },
  });
  return { client, scheduler, gateway };
}
