import type { Plugin } from 'graphql-yoga';

/**
 * Refuses request bodies over `maxBytes` (413) before they are read, and POSTs that do not declare their length
 * (411): a declared length is what lets the limit be enforced without buffering an unbounded body first.
 */
export function useBodyLimit(options: { maxBytes: number }): Plugin {
  const json = (status: number, message: string) =>
    new Response(JSON.stringify({ errors: [{ message, extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'LENGTH_REQUIRED' } }] }), { status, headers: { 'content-type': 'application/json' } });
  return {
    onRequest({ request, endResponse }) {
      if (request.method !== 'POST') return;
      const declared = request.headers.get('content-length');
      if (declared === null) {
        endResponse(json(411, 'Send a Content-Length header with the request body.'));
        return;
      }
      const length = Number(declared);
      if (!Number.isFinite(length) || length > options.maxBytes) {
        endResponse(json(413, `The request body is ${declared} bytes; at most ${options.maxBytes} are accepted.`));
      }
    },
  };
}
