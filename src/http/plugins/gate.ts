import { createHash, timingSafeEqual } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { Plugin } from 'graphql-yoga';
import type { Registry } from 'prom-client';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { GRAPHIQL_ASSET_PREFIX, type GraphiqlAssets } from '../graphiql-assets.js';
import type { ApiKeyEntry } from '../../ops/config.js';
import { spendAccountOf, type SpendAccount } from '../../ops/spend-ledger.js';

/** What the gate lets through, and to whom. */
export interface GateOptions {
  /** Client API keys (API_KEYS entries); empty: no key needed. Only their SHA-256 hashes are kept. */
  keys: readonly (string | ApiKeyEntry)[];
  /** Requests a key may make per minute, then 429 RATE_LIMITED. */
  perMinute: number;
  /** Wrong keys one client address may present per minute, then 429 TOO_MANY_FAILED_ATTEMPTS for every key. */
  failuresPerMinute: number;
  /** The one path of the GraphQL endpoint, e.g. /graphql. */
  graphqlEndpoint: string;
  /** GraphiQL's page and assets; undefined: GraphiQL off. */
  graphiql: GraphiqlAssets | undefined;
  /** The readiness answer of /ready. */
  ready: () => { ready: boolean; [detail: string]: unknown };
  /** The registry /metrics serves; undefined: no /metrics. */
  metrics: Registry | undefined;
  /** Host names answered; empty: any with keys, loopback names only without (DNS rebinding). */
  allowedHosts?: readonly string[] | undefined;
  /** Peers whose X-Forwarded-For names the client (reverse proxies); default none. */
  trustedProxies?: readonly string[] | undefined;
}

type Route = 'health' | 'graphql' | 'ready' | 'metrics' | 'asset';

const ALLOWED_METHODS: Record<Route, readonly string[]> = {
  health: ['GET', 'HEAD'],
  graphql: ['GET', 'POST'],
  ready: ['GET', 'HEAD'],
  metrics: ['GET', 'HEAD'],
  asset: ['GET', 'HEAD'],
};

/** The media types Yoga 5 can answer a GraphQL request with (its result processors: regular, SSE, multipart). */
const RESPONSE_MEDIA_TYPES = ['application/graphql-response+json', 'application/json', 'text/event-stream', 'multipart/mixed'];

/**
 * Whether Yoga will find a result processor for this Accept header. Yoga decides only after execution (a paid 406);
 * this is the same rule, decided before: Accept split on commas, whitespace removed, lower-cased, a charset other than
 * utf-8 skips the entry, `*` matches either half; no header means any type. Hand-written: Yoga does not export it.
 */
export function isAcceptableForGraphql(accept: string | null): boolean {
  const entries = (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',');
  return entries.some((entry) => {
    const [mediaType = '', ...params] = entry.split(';');
    const charset = params.find((p) => p.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') return false;
    const [pre, suf] = mediaType.split('/');
    return RESPONSE_MEDIA_TYPES.some((type) => {
      const [typePre, typeSuf] = type.split('/');
      return (pre === '*' || pre === typePre) && (suf === '*' || suf === typeSuf);
    });
  });
}

/**
 * The client address the failure throttle counts by: the socket's peer (Node's `req.socket` in Yoga's server
 * context), or behind TRUSTED_PROXIES the client X-Forwarded-For names; never a header of an untrusted peer. IPv4-mapped IPv6 is unmapped; other IPv6 addresses count by their /64,
 * which one host usually holds whole. Unknown addresses share one bucket: throttled together, never exempt.
 */
export function clientAddress(serverContext: unknown, forwardedFor: string | null = null, trustedProxies: readonly string[] = []): string {
  const req = (serverContext as { req?: { socket?: { remoteAddress?: unknown } } } | undefined)?.req;
  let raw = req?.socket?.remoteAddress;
  // Behind proxies the operator listed (TRUSTED_PROXIES), the client is the right-most X-Forwarded-For entry that is
  // not one of them; from any other peer the header is the client's own words, and ignored.
  if (typeof raw === 'string' && trustedProxies.includes(unmap(raw)) && forwardedFor) {
    const hops = forwardedFor.split(',').map((h) => unmap(h.trim()));
    raw = [...hops].reverse().find((hop) => !trustedProxies.includes(hop)) ?? raw;
  }
  if (typeof raw !== 'string') return 'unknown';
  const unmapped = raw.replace(/^::ffff:/i, '');
  if (isIPv4(unmapped)) return unmapped;
  if (!isIPv6(raw)) return 'unknown';
  const [head = '', tail = ''] = raw.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = raw.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** A Host header's name, lower-cased and without its port; undefined when it is not a host[:port] at all. */
export function hostName(host: string): string | undefined {
  const m = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.exec(host);
  return m?.[1]?.toLowerCase();
}

/** Names that only this machine resolves: a page elsewhere cannot rebind them. */
function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(name) || name === '[::1]';
}

/** An address without its IPv4-mapped IPv6 prefix. */
function unmap(address: string): string {
  return address.replace(/^::ffff:/i, '');
}

/** The key a request presents: `Authorization: Bearer <key>`, `Authorization: Basic` with the key as password, or x-api-key. */
function presentedKey(request: Request): { key: string; basic: boolean } | undefined {
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const bearer = /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
    if (bearer) return { key: bearer, basic: false };
    const basic = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(authorization)?.[1];
    if (basic) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return { key: colon < 0 ? '' : decoded.slice(colon + 1), basic: true };
    }
    // A credential in a scheme nobody accepts is a wrong key, not a missing one.
    return { key: '', basic: false };
  }
  const header = request.headers.get('x-api-key');
  return header === null ? undefined : { key: header.trim(), basic: false };
}

/**
 * The gate: the one place that decides, from the exact path and the method, which route a request takes, and whether
 * it may. Only `/health` is open to all; the GraphQL endpoint (execution and GraphiQL), /ready and /metrics need a
 * key when keys are configured; GraphiQL's static assets (the public GraphiQL bundle: no data, no execution) need none;
 * every other path is a 404 and every other method a 405. Only a GET or POST of exactly the endpoint path, with a
 * key when needed and an Accept Yoga can answer, goes on to Yoga; everything else is answered here.
 *
 * Yoga's own routing is lenient (it executes any URL that ends with `/graphql` or `/graphql/`, query strings and
 * other prefixes included), so the gate must run before any of Yoga's routes can answer: `createApp` turns Yoga's
 * GraphiQL, health, readiness and metrics routes off and leaves them to the gate.
 */
export function useGate(options: GateOptions): Plugin<{ apiKey?: SpendAccount }> {
  const digest = (key: string) => createHash('sha256').update(key).digest();
  const known = options.keys.map((entry) => ({
    hash: digest(typeof entry === 'string' ? entry : entry.key),
    account: spendAccountOf(entry),
  }));
  const perKey = new RateLimiterMemory({ points: options.perMinute, duration: 60 });
  const failures = new RateLimiterMemory({ points: options.failuresPerMinute, duration: 60 });
  const realm = 'realm="backlinks-graphql", charset="UTF-8"';
  // Which key each admitted request presented, for the context (the spend ledger charges it); gone with the request.
  const accounts = new WeakMap<Request, SpendAccount>();

  const knownKey = (key: string): { hash: Buffer; account: SpendAccount } | undefined => {
    const hash = digest(key);
    // Every known key is compared, in constant time each, so the time taken says nothing about which one matched.
    let match: SpendAccount | undefined;
    for (const k of known) if (timingSafeEqual(k.hash, hash)) match = k.account;
    return match && key !== '' ? { hash, account: match } : undefined;
  };

  const routeOf = (pathname: string): Route | undefined => {
    if (pathname === options.graphqlEndpoint) return 'graphql';
    if (pathname === '/health') return 'health';
    if (pathname === '/ready') return 'ready';
    if (pathname === '/metrics' && options.metrics) return 'metrics';
    if (pathname.startsWith(GRAPHIQL_ASSET_PREFIX) && options.graphiql) return 'asset';
    return undefined;
  };

  return {
    async onRequest({ request, url, endResponse, serverContext, fetchAPI }) {
      const json = (status: number, message: string, code: string, headers: Record<string, string> = {}) =>
        new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
          status,
          headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
        });
      // The URL is built from the Host header and the request target: a Host such as "x/graphql?" would change the
      // path routed below. Only a host[:port] is accepted. Without API keys, only loopback names (or ALLOWED_HOSTS)
      // are answered, so that a web page cannot reach a local server that holds paid credentials by DNS rebinding.
      const host = request.headers.get('host');
      if (host !== null) {
        const name = hostName(host);
        if (name === undefined) return endResponse(json(400, 'The Host header is not a host name.', 'BAD_REQUEST'));
        const allowedHosts = options.allowedHosts ?? [];
        const allowed = allowedHosts.length > 0 ? allowedHosts.includes(name) : known.length > 0 || isLoopbackName(name);
        if (!allowed) {
          const message = 'This server does not answer to this host name; list it in ALLOWED_HOSTS (or set API_KEYS).';
          return endResponse(json(421, message, 'HOST_NOT_ALLOWED'));
        }
      }
      const method = request.method.toUpperCase();
      // CORS preflights: Yoga's CORS step has answered them already (with or without an allowed origin); this is the
      // fallback that keeps any OPTIONS from running anything.
      if (method === 'OPTIONS') return endResponse(new fetchAPI.Response(null, { status: 204, headers: { 'content-length': '0' } }));

      const route = routeOf(url.pathname);
      if (route === undefined) {
        return endResponse(json(404, `Nothing is served at this path; the GraphQL endpoint is ${options.graphqlEndpoint}.`, 'NOT_FOUND'));
      }
      const allowed = ALLOWED_METHODS[route];
      if (!allowed.includes(method)) {
        const allow = route === 'graphql' ? [...allowed, 'OPTIONS'] : allowed;
        return endResponse(
          json(405, `This path answers ${allow.join(', ')}, not ${method.slice(0, 20)}.`, 'METHOD_NOT_ALLOWED', {
            allow: allow.join(', '),
          }),
        );
      }
      if (route === 'health') {
        const headers = { 'content-type': 'application/json' };
        return endResponse(new fetchAPI.Response(method === 'HEAD' ? null : '{"status":"ok"}', { status: 200, headers }));
      }
      if (route === 'asset') {
        const answer = await options.graphiql?.answer(request, url.pathname, fetchAPI.Response);
        return endResponse(answer ?? json(404, 'No such GraphiQL asset.', 'NOT_FOUND'));
      }

      // Yoga's rule for "this GET wants GraphiQL".
      const wantsGraphiql =
        route === 'graphql' &&
        method === 'GET' &&
        (request.headers.get('accept') ?? '').includes('text/html') &&
        options.graphiql !== undefined;
      if (known.length > 0) {
        const address = clientAddress(serverContext, request.headers.get('x-forwarded-for'), options.trustedProxies);
        const failed = await failures.get(address);
        if (failed && failed.consumedPoints >= options.failuresPerMinute) {
          // Refused even when this key is right: otherwise the answer would tell a guesser which guess was right.
          const seconds = Math.max(1, Math.ceil(failed.msBeforeNext / 1000));
          const message = `Too many wrong API keys from this address; retry in ${seconds} s.`;
          return endResponse(json(429, message, 'TOO_MANY_FAILED_ATTEMPTS', { 'retry-after': String(seconds) }));
        }
        const presented = presentedKey(request);
        const matched = presented ? knownKey(presented.key) : undefined;
        if (!matched) {
          if (presented) await failures.penalty(address, 1);
          const challenge = wantsGraphiql || presented?.basic ? `Basic ${realm}` : `Bearer ${realm}`;
          return endResponse(
            json(
              401,
              'A valid API key is required: send "Authorization: Bearer <key>" or "x-api-key: <key>" (GraphiQL: the key as the password).',
              'UNAUTHENTICATED',
              { 'www-authenticate': challenge },
            ),
          );
        }
        try {
          await perKey.consume(matched.hash.toString('hex'));
        } catch (rejection) {
          if (!(rejection instanceof RateLimiterRes)) throw rejection;
          const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
          const message = `This API key made more than ${options.perMinute} requests in a minute; retry in ${seconds} s.`;
          return endResponse(json(429, message, 'RATE_LIMITED', { 'retry-after': String(seconds) }));
        }
        accounts.set(request, matched.account);
      }

      if (route === 'ready') {
        const state = options.ready();
        const headers = { 'content-type': 'application/json' };
        return endResponse(
          new fetchAPI.Response(method === 'HEAD' ? null : JSON.stringify(state), { status: state.ready ? 200 : 503, headers }),
        );
      }
      if (route === 'metrics' && options.metrics) {
        const text = await options.metrics.metrics();
        return endResponse(
          new fetchAPI.Response(method === 'HEAD' ? null : text, { status: 200, headers: { 'content-type': options.metrics.contentType } }),
        );
      }
      if (wantsGraphiql && options.graphiql) return endResponse(await options.graphiql.page(fetchAPI.Response));
      if (!isAcceptableForGraphql(request.headers.get('accept'))) {
        return endResponse(
          json(406, `The Accept header must allow one of ${RESPONSE_MEDIA_TYPES.join(', ')} (UTF-8, or none given).`, 'NOT_ACCEPTABLE'),
        );
      }
    },
    onContextBuilding({ context, extendContext }) {
      const account = accounts.get(context.request);
      if (account) extendContext({ apiKey: account });
    },
  };
}
