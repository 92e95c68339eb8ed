import { Agent } from 'undici';
import { createApp, type App } from '../../src/http/app.js';
import { createAisaProvider, createDataForSeoProvider } from '../../src/dataforseo/providers.js';
import { readConfig } from '../../src/ops/config.js';
import { createJsonLogger } from '../../src/ops/logger.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { createUpstream } from '../../src/upstream/index.js';
import { TEST_API_KEY, TEST_LOGIN, TEST_PASSWORD } from './app.js';

/**
 * The apps the fuzz test attacks: each built the way `src/server.ts` builds production's, from `readConfig` of an
 * environment (so every production default applies: security limits, the budget of 50, GraphiQL, metrics, the
 * request log), over the sandbox. Only what makes counting exact differs from production: no answer cache (a cached
 * answer would hide a call a refused request should never have started), no retries, and scheduler limits high
 * enough that thousands of sequential requests never wait for a slot.
 *
 * Not `createTestApp`: it cannot switch GraphiQL off, has no request log to read and no readiness check.
 */

/** Client API keys of the variants that configure some (each 16+ characters, as readConfig asks). */
export const FUZZ_CLIENT_KEYS = [
  'fuzz-client-key-alpha-0123456789',
  'fuzz-client-key-bravo-0123456789',
  'fuzz-client-key-charlie-012345678',
] as const;

/** One configuration the fuzz test runs: the environment production would read, and the upstream wire. */
export interface FuzzVariant {
  name: string;
  env: Record<string, string>;
  wire: 'dataforseo' | 'aisa';
}

/** Keys on and off, GraphiQL on and off, both wires; every other setting at its production default. */
export const FUZZ_VARIANTS: readonly FuzzVariant[] = [
  { name: 'open', env: {}, wire: 'dataforseo' },
  { name: 'keys', env: { API_KEYS: FUZZ_CLIENT_KEYS.join(',') }, wire: 'aisa' },
  { name: 'keys-no-graphiql', env: { API_KEYS: FUZZ_CLIENT_KEYS.join(','), GRAPHIQL: 'false' }, wire: 'dataforseo' },
  { name: 'open-no-graphiql', env: { GRAPHIQL: 'false', INTROSPECTION: 'false' }, wire: 'aisa' },
];

/** Every value that must never reach a response or a log line, spelt every way it could leak. */
export const FUZZ_SECRETS: readonly string[] = [
  TEST_LOGIN,
  TEST_PASSWORD,
  TEST_API_KEY,
  Buffer.from(`${TEST_LOGIN}:${TEST_PASSWORD}`).toString('base64'),
  ...FUZZ_CLIENT_KEYS,
];

/** One app under attack, with what the test reads around each request. */
export interface FuzzApp {
  variant: FuzzVariant;
  yoga: App;
  /** Whether the configuration holds client API keys. */
  keys: readonly string[];
  graphiql: boolean;
  maxUpstreamCallsPerOperation: number;
  maxAliases: number;
  /** `CORS_ORIGINS` as configured: `*` unless the variant sets it. */
  corsOrigins: string[] | '*';
  /** Log lines written since the last `takeLog()`. */
  takeLog(): string[];
  /** Upstream calls queued or in flight in this app's scheduler. */
  pending(): number;
  close(): Promise<void>;
}

/** Builds one variant's app over the sandbox at `sandboxUrl`. */
export function createFuzzApp(sandboxUrl: string, variant: FuzzVariant): FuzzApp {
  const config = readConfig({ ...variant.env, UPSTREAM: 'sandbox' });
  const dispatcher = new Agent({ keepAliveTimeout: 4_000, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const provider =
    variant.wire === 'dataforseo'
      ? createDataForSeoProvider({ baseUrl: sandboxUrl, login: TEST_LOGIN, password: TEST_PASSWORD })
      : createAisaProvider({ baseUrl: `${sandboxUrl}/apis/v1`, apiKey: TEST_API_KEY });
  let lines: string[] = [];
  const logger = createJsonLogger('info', (line) => lines.push(line));
  const { scheduler, gateway } = createUpstream({
    provider,
    dispatcher,
    timeoutMs: 10_000,
    limits: { maxConcurrency: 1000, maxPerWindow: 10_000_000, windowMs: 60_000, queueTimeoutMs: 30_000, maxQueued: 100_000 },
    retry: { retries: 0, deadlineMs: 1_000, minDelayMs: 5, maxDelayMs: 50 },
    cache: { ttlMs: 0 },
    onCall: (event) => metrics.upstreamCall(event),
  });
  const metrics = createMetrics({ scheduler: () => scheduler.state() });
  const yoga = createApp({
    gateway,
    graphiql: config.graphiql,
    sandbox: true,
    maxUpstreamCallsPerOperation: config.maxUpstreamCallsPerOperation,
    security: config.security,
    metrics,
    logger,
    ready: () => ({ ready: true, upstream: 'sandbox', breaker: gateway.breakerState() }),
  });
  return {
    variant,
    yoga,
    keys: config.security.apiKeys.map((entry) => (typeof entry === 'string' ? entry : entry.key)),
    graphiql: config.graphiql,
    maxUpstreamCallsPerOperation: config.maxUpstreamCallsPerOperation,
    maxAliases: config.security.maxAliases,
    corsOrigins: config.security.corsOrigins,
    takeLog() {
      const taken = lines;
      lines = [];
      return taken;
    },
    pending() {
      const state = scheduler.state();
      return state.queued + state.inFlight;
    },
    close: () => dispatcher.close(),
  };
}
