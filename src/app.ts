import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type Plugin, type YogaServerOptions } from 'graphql-yoga';
import type { Context } from './context.js';
import { createContextFactory } from './context.js';
import { maskError } from './errors.js';
import { DEFAULT_QUERY } from './graphiql.js';
import { useCostControl } from './plugins/cost.js';
import { schema } from './schema/index.js';
import type { UpstreamGateway } from './upstream/gateway.js';

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
  /** Yoga's logger, or false to log nothing (tests). Default: Yoga's console logger. */
  logging?: YogaServerOptions<Record<string, unknown>, Context>['logging'];
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
  return createYoga<Record<string, unknown>, Context>({
    schema,
    context: createContextFactory(options.gateway),
    maskedErrors: { maskError },
    graphiql: options.graphiql === false ? false : { defaultQuery: DEFAULT_QUERY, title: 'backlinks-graphql' },
    // The inlined GraphiQL bundle, not Yoga's default page that loads it from a CDN: it works offline and behind
    // a strict content security policy.
    renderGraphiQL,
    landingPage: false,
    logging: options.logging ?? true,
    plugins: [useCostControl({ maxUpstreamCallsPerOperation: options.maxUpstreamCallsPerOperation ?? 50 }), ...(options.sandbox ? [useSandboxNotice()] : [])],
  });
}

export type App = ReturnType<typeof createApp>;
