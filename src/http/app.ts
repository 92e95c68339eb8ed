import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { createYoga, type Plugin, type YogaServerOptions } from 'graphql-yoga';
import { SECURITY_DEFAULTS, type SecurityConfig } from '../ops/config.js';
import type { Context } from '../graphql/context.js';
import { createContextFactory } from '../graphql/context.js';
import { maskError } from './mask-error.js';
import { DEFAULT_QUERY } from './graphiql.js';
import type { createJsonLogger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import { createGraphiqlAssets } from './graphiql-assets.js';
import { useGate } from './plugins/gate.js';
import { usePrometheusMetrics } from './plugins/prometheus.js';
import { useBodyLimit } from './plugins/body-limit.js';
import { useDocumentLimits } from './plugins/document-limits.js';
import { useCsrfPrevention, useOneErrorPerFailure, useRequestErrorCodes } from './plugins/request-errors.js';
import { useCostControl } from './plugins/cost.js';
import { useExecutor, type ExecutorOptions } from './plugins/executor.js';
import { useExecutionMemory } from './plugins/execution-memory.js';
import { mapParts } from './plugins/incremental.js';
import { useRequestLog } from './plugins/request-log.js';
import { useNoTrustedDocuments, useTrustedDocuments } from './plugins/trusted-documents.js';
import { schema } from '../graphql/schema/index.js';
import type { UpstreamGateway } from '../upstream/gateway.js';
import { createSpendLedger, type SpendLedger } from '../ops/spend-ledger.js';

export const GRAPHQL_ENDPOINT = '/graphql';

const CORS_ALLOWED_HEADERS = ['content-type', 'authorization', 'x-api-key', 'x-dry-run', 'x-request-id', 'x-graphql-csrf'];

/** What the app is built from; `server.ts` makes these from the configuration, tests make their own. */
export interface AppOptions {
  /** Every upstream call goes through it: cache, coalescing, limits, retries. */
  gateway: UpstreamGateway;
  /** Operations that could make more upstream calls are refused before any. Default 50. */
  maxUpstreamCallsPerOperation?: number;
  /** Serve GraphiQL on GET /graphql (Accept: text/html) and its assets under /graphiql/. Default true. */
  graphiql?: boolean;
  /** Set when the upstream is the embedded sandbox: every response then says its data is synthetic. */
  sandbox?: boolean;
  /** Limits of the public endpoint; each defaults to SECURITY_DEFAULTS. */
  security?: Partial<SecurityConfig>;
  /** Prometheus metrics served on /metrics; none: no /metrics. */
  metrics?: Metrics;
  /** Structured logger: one line per request, and Yoga's own errors; false logs nothing (tests). */
  logger?: ReturnType<typeof createJsonLogger> | false;
  /**
   * What each API key spent today, against its daily cap (`API_KEYS` … `cap=`): `createSpendLedger({ redis })` to share
   * it between replicas. Default: in this process's memory (reset on restart), when API keys are set.
   */
  spendLedger?: SpendLedger;
  /** Readiness: whether the configuration is complete and the upstream reachable in principle. Default ready. */
  ready?: () => { ready: boolean; [detail: string]: unknown };
  /** Which executor runs each operation (graphql-jit where it is exactly right, by default); see useExecutor. */
  executor?: ExecutorOptions;
  /** Plugins run after all of the app's own (the benchmark's timers). */
  plugins?: Plugin[];
}

export const SANDBOX_NOTICE = {
  synthetic: true,
  message:
    'Synthetic data from the embedded sandbox: no upstream account is configured. Set DATAFORSEO_LOGIN/DATAFORSEO_PASSWORD or AISA_API_KEY for real data.',
} as const;

/** The first lines of GraphiQL's query on the sandbox. */
const SANDBOX_QUERY_NOTE =
  '# SANDBOX: no upstream account is configured, so every answer is SYNTHETIC data from the embedded sandbox.\n' +
  '# Set DATAFORSEO_LOGIN/DATAFORSEO_PASSWORD or AISA_API_KEY for real data.\n';

/** Adds `extensions.sandbox` to every result, errors included; to the first part of an incremental one. */
function useSandboxNotice(): Plugin {
  const mark = <T extends { extensions?: Record<string, unknown> }>(result: T): T => ({
    ...result,
    extensions: { ...result.extensions, sandbox: SANDBOX_NOTICE },
  });
  return {
    onExecutionResult({ result, setResult }) {
      if (!result) return;
      if (Symbol.asyncIterator in result) setResult(mapParts(result, (part, first) => (first ? mark(part) : part)) as typeof result);
      else setResult(mark(result));
    },
  };
}

/** Creates the GraphQL app. No I/O: tests call it in-process with `yoga.fetch`. */
export function createApp(options: AppOptions) {
  const security = { ...SECURITY_DEFAULTS, ...options.security };
  const logger = options.logger;
  const plugins: Plugin[] = [
    // First, so that requests refused by the plugins below (401, 403, 413, 429) are logged and get an id too.
    ...(logger ? [useRequestLog(logger)] : []),
    // Before anything reads the request: route and key are decided on the exact path and method.
    useGate({
      keys: security.apiKeys,
      perMinute: security.apiKeyRateLimitPerMinute,
      failuresPerMinute: security.apiKeyFailuresPerMinute,
      allowedHosts: security.allowedHosts,
      trustedProxies: security.trustedProxies,
      graphqlEndpoint: GRAPHQL_ENDPOINT,
      graphiql:
        options.graphiql === false
          ? undefined
          : createGraphiqlAssets({
              // The page says so when its answers are made up, before anyone reads a figure.
              title: options.sandbox ? 'backlinks-graphql — sandbox (synthetic data)' : 'backlinks-graphql',
              defaultQuery: options.sandbox ? `${SANDBOX_QUERY_NOTE}${DEFAULT_QUERY}` : DEFAULT_QUERY,
            }),
      ready: options.ready ?? (() => ({ ready: true })),
      metrics: options.metrics?.registry,
    }),
    useCsrfPrevention(),
    // After CSRF prevention: a refused cross-site request is not read at all.
    useBodyLimit({ maxBytes: security.maxBodyBytes, maxInputDepth: security.maxInputDepth }),
    // Before anything parses the document: with TRUSTED_DOCUMENTS_ONLY, a query text is refused unread.
    security.trustedDocuments ? useTrustedDocuments(security.trustedDocuments) : useNoTrustedDocuments(),
    ...useDocumentLimits(security),
    useRequestErrorCodes(),
    useOneErrorPerFailure(),
    blockFieldSuggestionsPlugin(),
    // @defer and @stream: the cheap fields first, the slow ones (an intersection) in later parts of a multipart or
    // event-stream response. useCostControl budgets the deferred parts with the rest and settles at the last part.
    useDeferStream(),
    // Before useCostControl, whose execute wraps the one chosen here (budget, spend settled at the end).
    useExecutor(options.executor),
    // Between the two: it weighs each operation by useCostControl's estimate and waits for room before the executor
    // runs; a refusal (SERVER_BUSY) reaches useCostControl's wrapper, which settles a key's hold with nothing spent.
    useExecutionMemory({
      maxValues: security.executionMaxValues,
      maxQueue: security.executionMaxQueue,
      queueTimeoutMs: security.executionQueueTimeoutMs,
      metrics: options.metrics,
    }),
    ...(security.introspection ? [] : [useDisableIntrospection() as Plugin]),
    useCostControl({
      maxUpstreamCallsPerOperation: options.maxUpstreamCallsPerOperation ?? 50,
      maxResultValues: security.maxResultValues,
      metrics: options.metrics,
      spendLedger: security.apiKeys.length > 0 ? (options.spendLedger ?? createSpendLedger()) : undefined,
    }),
    ...(options.metrics ? [usePrometheusMetrics(options.metrics)] : []),
    ...(options.sandbox ? [useSandboxNotice()] : []),
    ...(options.plugins ?? []),
  ];
  const yogaOptions: YogaServerOptions<Record<string, unknown>, Context> = {
    schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    context: createContextFactory(options.gateway),
    maskedErrors: { maskError },
    // The gate serves GraphiQL, /health, /ready and /metrics on their exact paths. Yoga's own routes match any URL
    // that ends with their path, before any plugin of ours runs, so they are off: GraphiQL and landing page
    // disabled, and the health check given a suffix no request URL can have (a raw NUL is always percent-encoded).
    graphiql: false,
    landingPage: false,
    healthCheckEndpoint: '\u0000',
    // useBodyLimit enforces MAX_BODY_BYTES itself: Yoga's limit wraps every body in a stream, declared length or not.
    maxRequestBodySize: false,
    // The trusted-document id of a request without query text (the persisted-operations plugin reads it).
    ...(security.trustedDocuments ? { extraParamNames: ['documentId'] } : {}),
    // Closed by default: no Access-Control-Allow-Origin for an origin CORS_ORIGINS does not list (`*` only when set).
    cors: (request) => {
      const origin = request.headers.get('origin');
      const allowed = security.corsOrigins === '*' ? '*' : origin !== null && security.corsOrigins.includes(origin) ? origin : undefined;
      if (allowed === undefined) return false;
      return { origin: allowed, credentials: false, allowedHeaders: CORS_ALLOWED_HEADERS, exposedHeaders: ['x-request-id'] };
    },
    logging: logger === false ? false : (logger ?? true),
    plugins,
  };
  return createYoga<Record<string, unknown>, Context>(yogaOptions);
}

export type App = ReturnType<typeof createApp>;
