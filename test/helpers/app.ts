import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createApp, type App } from '../../src/http/app.js';
import type { UpstreamCallEvent } from '../../src/dataforseo/client.js';
import { createAisaProvider, createDataForSeoProvider } from '../../src/dataforseo/providers.js';
import { createMockUpstream, type MockUpstream } from './mock-upstream.js';
import type { SecurityConfig } from '../../src/ops/config.js';
import type { SpendLedger } from '../../src/ops/spend-ledger.js';
import { createMetrics, type Metrics } from '../../src/ops/metrics.js';
import type { RetryPolicy } from '../../src/upstream/gateway.js';
import { createUpstream } from '../../src/upstream/index.js';
import type { SchedulerOptions } from '../../src/upstream/scheduler.js';
import type { ExecutorOptions } from '../../src/http/plugins/executor.js';

/** How the test app reaches its upstream. Defaults: no cache, no retries, generous limits — tests count calls. */
export interface TestAppOptions {
  sandbox?: boolean;
  cacheTtlMs?: number;
  retry?: Partial<RetryPolicy>;
  limits?: Partial<SchedulerOptions>;
  maxUpstreamCallsPerOperation?: number;
  breaker?: { errorPercentage?: number; volume?: number; resetMs?: number };
  security?: Partial<SecurityConfig>;
  metrics?: boolean;
  /** Serve GraphiQL; default true, as the server does. */
  graphiql?: boolean;
  /** The API keys' spend ledger; default the app's own (in memory). */
  spendLedger?: SpendLedger;
  /** Which executor runs each operation; default the app's own (graphql-jit where exactly right, from the 2nd run). */
  executor?: ExecutorOptions;
}

export const TEST_LOGIN = 'test-login@example.com';
export const TEST_PASSWORD = 'S3cret-Passw0rd-do-not-leak';
export const TEST_API_KEY = 'sk-aisa-test-key-do-not-leak';

/** The app over a real loopback socket to `baseUrl`, through the DataForSEO or the AIsa wire. */
export function createTestApp(baseUrl: string, wire: 'dataforseo' | 'aisa' = 'dataforseo', options: TestAppOptions = {}) {
  const dispatcher = new Agent({ keepAliveTimeout: 1000 });
  const provider =
    wire === 'dataforseo'
      ? createDataForSeoProvider({ baseUrl, login: TEST_LOGIN, password: TEST_PASSWORD })
      : createAisaProvider({ baseUrl: `${baseUrl}/apis/v1`, apiKey: TEST_API_KEY });
  const metrics: Metrics | undefined = options.metrics ? createMetrics({ processMetrics: false }) : undefined;
  const { client, scheduler, gateway } = createUpstream({
    provider,
    dispatcher,
    timeoutMs: 10_000,
    limits: { maxConcurrency: 1000, maxPerWindow: 1_000_000, queueTimeoutMs: 30_000, maxQueued: 100_000, ...options.limits },
    retry: { retries: 0, deadlineMs: 10_000, minDelayMs: 5, maxDelayMs: 50, rateLimitPauseMs: 20, ...options.retry },
    cache: { ttlMs: options.cacheTtlMs ?? 0, maxMegabytes: 64 },
    breaker: options.breaker,
    ...(metrics ? { onCall: (e: UpstreamCallEvent) => metrics.upstreamCall(e) } : {}),
  });
  const yoga: App = createApp({
    gateway,
    sandbox: options.sandbox ?? false,
    logger: false,
    maxUpstreamCallsPerOperation: options.maxUpstreamCallsPerOperation ?? 100_000,
    security: options.security,
    ...(options.graphiql === undefined ? {} : { graphiql: options.graphiql }),
    ...(metrics ? { metrics } : {}),
    ...(options.spendLedger ? { spendLedger: options.spendLedger } : {}),
    ...(options.executor ? { executor: options.executor } : {}),
  });
  return {
    yoga,
    client,
    gateway,
    scheduler,
    metrics,
    /** Runs an operation through the app in-process; returns the parsed JSON body and the raw text. */
    async execute(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
      const response = await yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      return { status: response.status, text, body: JSON.parse(text) as { data?: any; errors?: any[]; extensions?: any } };
    },
    close: () => dispatcher.close(),
  };
}

/**
 * Registers the usual hooks of a test file against a strict upstream double: one double and one app for the file,
 * `assertDone()` after every test (unexpected calls and unused expectations fail it), everything closed at the end.
 */
export function useMockUpstreamApp(wire: 'dataforseo' | 'aisa' = 'dataforseo') {
  const env = {} as { upstream: MockUpstream; app: ReturnType<typeof createTestApp> };
  beforeAll(async () => {
    env.upstream = await createMockUpstream();
    env.app = createTestApp(env.upstream.url, wire);
  });
  afterEach(() => {
    // Reset even when the check fails, so one failing test does not fail every later one of the file.
    try {
      env.upstream.assertDone();
    } finally {
      env.upstream.reset();
    }
  });
  afterAll(async () => {
    await env.app.close();
    await env.upstream.close();
  });
  return env;
}
