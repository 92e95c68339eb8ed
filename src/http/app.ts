import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, useReadinessCheck, type Plugin, type YogaServerOptions } from 'graphql-yoga';
import { SECURITY_DEFAULTS, type SecurityConfig } from '../ops/config.js';
import type { Context } from '../graphql/context.js';
import { createContextFactory } from '../graphql/context.js';
import { maskError } from './mask-error.js';
import { DEFAULT_QUERY } from './graphiql.js';
import type { createJsonLogger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import { useApiKeys } from './plugins/api-keys.js';
import { useBodyLimit } from './plugins/body-limit.js';
import { useDocumentLimits } from './plugins/document-limits.js';
import { useCsrfPrevention, useRequestErrorCodes } from './plugins/request-errors.js';
import { useCostControl } from './plugins/cost.js';
import { useRequestLog } from './plugins/request-log.js';
import { schema } from '../graphql/schema/index.js';
import type { UpstreamGateway } from '../upstream/gateway.js';

export const GRAPHQL_ENDPOINT = '/graphql';

/** What the app is built from; `server.ts` makes these from the configuration, tests make their own. */
export interface AppOptions {
  /** Every upstream call goes through it: cache, coalescing, limits, retries. */
  gateway: UpstreamGateway;
  /** Operations that could make more upstream calls are refused before any. Default 50. */
  maxUpstreamCallsPerOperation?: number;
  /** Serve GraphiQL on GET /graphql. Default true. */
  graphiql?: boolean;
  /** Set when the upstream is the embedded sandbox: every response then says its data is synthetic. */
  sandbox?: boolean;
  /** Limits of the public endpoint; each defaults to SECURITY_DEFAULTS. */
  security?: Partial<SecurityConfig>;
  /** Prometheus metrics served on /metrics; none: no /metrics. */
  metrics?: Metrics;
  /** Structured logger: one line per request, and Yoga's own errors; false logs nothing (tests). */
  logger?: ReturnType<typeof createJsonLogger> | false;
  /** Readiness: whether the configuration is complete and the upstream reachable in principle. Default ready. */
  ready?: () => { ready: boolean; [detail: string]: unknown };
}

export const SANDBOX_NOTICE = {
  synthetic: true,
  message: 'Synthetic data from the embedded sandbox: no upstream account is configured. Set DATAFORSEO_LOGIN/DATAFORSEO_PASSWORD or AISA_API_KEY for real data.',
} as const;

/** Adds `extensions.sandbox` to every result, errors included. */
function useSandboxNotice(): Plugin {
  return {
    onExecutionResult({ result, setResult }) {
      if (!result || Symbol.asyncIterator in result) return;
      setResult({ ...result, extensions: { ...result.extensions, sandbox: SANDBOX_NOTICE } });
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
    useApiKeys({ keys: security.apiKeys, perMinute: security.apiKeyRateLimitPerMinute, graphqlEndpoint: GRAPHQL_ENDPOINT }),
    useCsrfPrevention(),
    // After CSRF prevention: a refused cross-site request is not read at all.
    useBodyLimit({ maxBytes: security.maxBodyBytes, maxInputDepth: security.maxInputDepth }),
    ...useDocumentLimits(security),
    useRequestErrorCodes(),
    blockFieldSuggestionsPlugin(),
    ...(security.introspection ? [] : [useDisableIntrospection() as Plugin]),
    useReadinessCheck({
      endpoint: '/ready',
      check: () => {
        const state = options.ready?.() ?? { ready: true };
        return new Response(JSON.stringify(state), { status: state.ready ? 200 : 503, headers: { 'content-type': 'application/json' } });
      },
    }),
    useCostControl({ maxUpstreamCallsPerOperation: options.maxUpstreamCallsPerOperation ?? 50, metrics: options.metrics }),
    ...(options.metrics
      ? [
          usePrometheus({
            registry: options.metrics.registry,
            endpoint: '/metrics',
            // A GET request's URL holds its query and variables: no label of it (cardinality, and data).
            labels: { url: false, method: true, statusCode: true },
            metrics: {
              graphql_envelop_request: true,
              graphql_envelop_request_duration: true,
              graphql_envelop_error_result: true,
              graphql_envelop_phase_parse: true,
              graphql_envelop_phase_validate: true,
              graphql_envelop_phase_execute: true,
              graphql_yoga_http_duration: true,
            },
          }),
        ]
      : []),
    ...(options.sandbox ? [useSandboxNotice()] : []),
  ];
  const yogaOptions: YogaServerOptions<Record<string, unknown>, Context> = {
    schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    context: createContextFactory(options.gateway),
    maskedErrors: { maskError },
    // The inlined GraphiQL bundle, not Yoga's default page that loads it from a CDN: it works offline and behind
    // a strict content security policy.
    renderGraphiQL,
    graphiql: options.graphiql === false ? false : { defaultQuery: DEFAULT_QUERY, title: 'backlinks-graphql' },
    landingPage: false,
    healthCheckEndpoint: '/health',
    // Enforced while the body is read, so a streamed (chunked) body is cut at the limit too; useBodyLimit words it.
    maxRequestBodySize: security.maxBodyBytes,
    cors: { origin: security.corsOrigins === '*' ? '*' : security.corsOrigins, credentials: false, allowedHeaders: ['content-type', 'authorization', 'x-api-key', 'x-dry-run', 'x-request-id', 'x-graphql-csrf'], exposedHeaders: ['x-request-id'] },
    logging: logger === false ? false : (logger ?? true),
    plugins,
  };
  return createYoga<Record<string, unknown>, Context>(yogaOptions);
}

export type App = ReturnType<typeof createApp>;
