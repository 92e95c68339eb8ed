import type { Dispatcher } from 'undici';
import { createBacklinksClient, type BacklinksClient, type UpstreamCallEvent } from '../dataforseo/client.js';
import type { Provider } from '../dataforseo/providers.js';
import { createMemoryCacheStore, type CacheStore } from './cache.js';
import { createUpstreamGateway, type RetryPolicy, type UpstreamGateway, type UpstreamGatewayOptions } from './gateway.js';
import { createScheduler, type Scheduler, type SchedulerOptions } from './scheduler.js';

/** What `createUpstream` builds the upstream from. */
export interface UpstreamOptions {
  /** Where calls go and how they authenticate. */
  provider: Provider;
  /** The undici dispatcher of the client (an `Agent` with its timeouts). Default: undici's global one. */
  dispatcher?: Dispatcher | undefined;
  /** Per-call headers and body timeout, ms. Default the client's (125 000). */
  timeoutMs?: number | undefined;
  /** Concurrency, per-window limit, queue bounds. */
  limits: SchedulerOptions;
  retry: RetryPolicy;
  /** The answer cache: a TTL of 0 (or none) disables it; `store` replaces the in-memory LRU. */
  cache?: { ttlMs: number; maxMegabytes?: number; store?: CacheStore } | undefined;
  breaker?: UpstreamGatewayOptions['breaker'];
  /** Called once per HTTP request sent to the upstream (metrics). */
  onCall?: ((event: UpstreamCallEvent) => void) | undefined;
}

/** The process-wide upstream: one client, one scheduler, one cache and one gateway that every request shares. */
export interface Upstream {
  client: BacklinksClient;
  scheduler: Scheduler;
  gateway: UpstreamGateway;
}

/**
 * The one composition root of client → scheduler → cache → gateway. The server, the test helpers and the benchmark
 * all build their upstream here, so that a test never runs a gateway wired differently from production's.
 */
export function createUpstream(options: UpstreamOptions): Upstream {
  const client = createBacklinksClient({
    provider: options.provider,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
  });
  const scheduler = createScheduler(options.limits);
  const ttlMs = options.cache?.ttlMs ?? 0;
  const cache =
    ttlMs > 0 ? (options.cache?.store ?? createMemoryCacheStore({ maxMegabytes: options.cache?.maxMegabytes ?? 256 })) : undefined;
  const gateway = createUpstreamGateway({ client, scheduler, retry: options.retry, cache, cacheTtlMs: ttlMs, breaker: options.breaker });
  return { client, scheduler, gateway };
}
