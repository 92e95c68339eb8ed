import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import { UpstreamError } from '../dataforseo/errors.js';

/**
 * The one place where failures become GraphQL errors. An upstream failure keeps its stable code, the upstream's
 * status code and whether retrying may help, and nothing else: not the upstream's body, URL or credentials.
 * Anything unexpected is masked by Yoga's default ("Unexpected error."), its details kept out of the response.
 */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof UpstreamError) {
    const located = error instanceof GraphQLError ? error : undefined;
    return new GraphQLError(original.message, {
      ...(located?.nodes ? { nodes: located.nodes } : {}),
      ...(located?.path ? { path: located.path } : {}),
      // Kept (never serialised) so that the errors of one failed task can be told from another's: see request-errors.
      originalError: original,
      extensions: {
        code: original.code,
        retryable: original.retryable,
        ...(original.statusCode !== undefined ? { upstreamStatusCode: original.statusCode } : {}),
        ...(original.httpStatus !== undefined ? { upstreamHttpStatus: original.httpStatus } : {}),
        // The fields one failed task nulled (request-errors.ts), when merged before masking (incremental parts).
        ...(Array.isArray(located?.extensions.paths) ? { paths: located.extensions.paths } : {}),
      },
    });
  }
  return yogaMaskError(error, message, isDev);
}
