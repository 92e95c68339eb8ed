import { randomUUID } from 'node:crypto';
import { getOperationAST, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../../graphql/context.js';
import type { createJsonLogger } from '../../ops/logger.js';

const REQUEST_ID = /^[\w.-]{1,64}$/;

interface Seen {
  id: string;
  started: number;
  operationName?: string | undefined;
  cost?: Context['meter'] | undefined;
  errorCodes?: string[] | undefined;
}

/**
 * One structured log line per request, with a request id (the client's `x-request-id` if it is sane, else a new
 * one), echoed in the response's `x-request-id`. It logs the operation name, status, duration, error codes and
 * upstream cost — never headers, variables or bodies, so no key or credential can reach a log line.
 */
export function useRequestLog(logger: ReturnType<typeof createJsonLogger>): Plugin {
  const seen = new WeakMap<Request, Seen>();
  return {
    onRequest({ request }) {
      const given = request.headers.get('x-request-id') ?? '';
      seen.set(request, { id: REQUEST_ID.test(given) ? given : randomUUID(), started: performance.now() });
    },
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      const entry = request && seen.get(request);
      if (entry)
        entry.operationName = getOperationAST(args.document as DocumentNode, args.operationName as string | null | undefined)?.name?.value;
    },
    onExecutionResult({ request, result, context }) {
      const entry = seen.get(request);
      if (!entry || !result || Symbol.asyncIterator in result) return;
      entry.operationName ??= (context as { params?: { operationName?: string } }).params?.operationName ?? undefined;
      entry.cost = (context as Partial<Context>).meter;
      entry.errorCodes = result.errors?.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'INTERNAL'));
    },
    onResponse({ request, response }) {
      const entry = seen.get(request);
      if (!entry) return;
      response.headers.set('x-request-id', entry.id);
      const url = new URL(request.url);
      logger.log('info', 'request', {
        requestId: entry.id,
        method: request.method,
        path: url.pathname,
        status: response.status,
        durationMs: Math.round((performance.now() - entry.started) * 10) / 10,
        ...(entry.operationName ? { operationName: entry.operationName } : {}),
        ...(entry.errorCodes?.length ? { errorCodes: entry.errorCodes } : {}),
        ...(entry.cost
          ? { upstreamCalls: entry.cost.upstreamCalls, upstreamCostUsd: entry.cost.upstreamCostUsd, cacheHits: entry.cost.cacheHits }
          : {}),
      });
    },
  };
}
