import { createHash, timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Optional client API keys: when keys are configured, every GraphQL request must carry one, as
 * `Authorization: Bearer <key>` or `x-api-key: <key>`, or gets a 401; each key may make `perMinute` requests a
 * minute, then gets a 429 with Retry-After. The GraphiQL page, CORS preflights and the operational endpoints need
 * no key. Keys are compared in constant time and only their hashes are kept, so none is ever logged.
 */
export function useApiKeys(options: { keys: readonly string[]; perMinute: number; graphqlEndpoint: string }): Plugin {
  const digest = (key: string) => createHash('sha256').update(key).digest();
  const known = options.keys.map(digest);
  const limiter = new RateLimiterMemory({ points: options.perMinute, duration: 60 });
  const json = (status: number, message: string, code: string, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), { status, headers: { 'content-type': 'application/json', ...headers } });

  return {
    async onRequest({ request, url, endResponse }) {
      if (known.length === 0 || url.pathname !== options.graphqlEndpoint || request.method === 'OPTIONS') return;
      if (request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html')) return;
      const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
      const key = bearer ?? request.headers.get('x-api-key') ?? '';
      const hash = digest(key);
      if (!key || !known.some((k) => timingSafeEqual(k, hash))) {
        endResponse(json(401, 'A valid API key is required: send "Authorization: Bearer <key>" or "x-api-key: <key>".', 'UNAUTHENTICATED', { 'www-authenticate': 'Bearer' }));
        return;
      }
      try {
        await limiter.consume(hash.toString('hex'));
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        endResponse(json(429, `This API key made more than ${options.perMinute} requests in a minute; retry in ${seconds} s.`, 'RATE_LIMITED', { 'retry-after': String(seconds) }));
      }
    },
  };
}
