import fc from 'fast-check';
import { FUZZ_CLIENT_KEYS, FUZZ_VARIANTS } from './fuzz-app.js';
import { operation, type GeneratedOperation } from './fuzz-operations.js';

/**
 * Random HTTP requests as a hostile client sends them: every method, path spellings of every endpoint, Accept and
 * Content-Type variants, API keys right, wrong and missing, the dry-run and CSRF headers, cross-site origins, and
 * bodies from well-formed GraphQL to malformed JSON, form encoding, batches, streams and huge values.
 * A request is plain data, so fast-check shrinks it and `renderRequest` prints it as a reproducer.
 */

/** One generated request; `variant` indexes FUZZ_VARIANTS. */
export interface FuzzRequest {
  variant: number;
  method: string;
  /** Path and query string, as sent. */
  path: string;
  headers: Record<string, string>;
  /** The body text; `stream` sends it as a ReadableStream (chunked, no Content-Length). */
  body?: string | undefined;
  stream?: boolean;
  /** The operation the request carries, if any (for the oracle: aliases, dry runs). */
  operation?: GeneratedOperation | undefined;
  /** Extensions the request carries. */
  extensions?: unknown;
}

/** Planted in malformed bodies: a server that echoes the request back in a parse error shows it. */
export const ECHO_MARKER = 'ECHO-MARKER-7f3a9c';

const GRAPHQL_PATHS = [
  '/graphql',
  '/graphql/',
  '//graphql',
  '/graphql//',
  '/GRAPHQL',
  '/Graphql',
  '/%67raphql',
  '/graphql%2F',
  '/graphq%6C',
  '/./graphql',
  '/x/../graphql',
  '/graphql/.',
  '/graphql;x',
  '/graphql/x',
  '/%2Fgraphql',
  '/graphql%20',
  '/graphql.json',
];
const OTHER_PATHS = [
  '/health',
  '/health/',
  '//health',
  '/HEALTH',
  '/ready',
  '/ready/',
  '//ready',
  '/metrics',
  '/metrics/',
  '//metrics',
  '/METRICS',
  '/%6Detrics',
  '/',
  '',
  '/nope',
  '/graphiql',
  '/favicon.ico',
  '/_sandbox/stats',
  '/v3/backlinks/summary/live',
  '/apis/v1/dataforseo/backlinks/summary/live',
];
const path = fc.oneof(
  { weight: 16, arbitrary: fc.constant('/graphql') },
  { weight: 3, arbitrary: fc.constantFrom(...GRAPHQL_PATHS) },
  { weight: 1, arbitrary: fc.constantFrom(...OTHER_PATHS) },
);
const method = fc.oneof(
  { weight: 10, arbitrary: fc.constant('POST') },
  { weight: 5, arbitrary: fc.constant('GET') },
  { weight: 2, arbitrary: fc.constantFrom('HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'post', 'Get') },
);

const ACCEPTS = [
  'application/graphql-response+json',
  'application/json',
  'application/graphql-response+json, application/json;q=0.9',
  '*/*',
  'text/html',
  'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'application/json, text/html',
  'TEXT/HTML',
  'application/xml',
  'text/plain',
  'text/event-stream',
  'multipart/mixed',
  'image/png',
  'application/json;q=0',
  '',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/graphql-response+json',
  'application/graphql+json',
  'application/graphql',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/json; charset=latin1',
  'application/xml',
  '',
];
const KEY = fc.constantFrom(...FUZZ_CLIENT_KEYS);
/** Authentication headers: a right key in each accepted form, wrong keys, malformed schemes, none. */
const auth = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  { weight: 4, arbitrary: KEY.map((k) => ({ authorization: `Bearer ${k}` })) },
  { weight: 3, arbitrary: KEY.map((k) => ({ 'x-api-key': k })) },
  {
    weight: 3,
    arbitrary: fc.oneof(
      KEY.map((k) => ({ authorization: `Bearer ${k}x` })),
      KEY.map((k) => ({ authorization: k })),
      KEY.map((k) => ({ authorization: `Basic ${Buffer.from(`${k}:`).toString('base64')}` })),
      KEY.map((k) => ({ 'x-api-key': k.slice(0, -1) })),
      KEY.map((k) => ({ 'x-api-key': k.toUpperCase() })),
      fc.constantFrom(
        { authorization: 'Bearer' },
        { authorization: 'Bearer ' },
        { authorization: 'Bearer wrong-key-0123456789abcdef' },
        { 'x-api-key': '' },
        { 'x-api-key': 'null' },
        { authorization: 'Bearer a b' },
      ),
      fc
        .string({ maxLength: 40 })
        .filter((s) => !/[\r\n\0]/.test(s))
        .map((s) => ({ 'x-api-key': s.replace(/[^\x20-\x7e]/g, '') })),
    ),
  },
);
const optionalHeader = (name: string, values: string[], weight = 3) =>
  fc.oneof({ weight, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.constantFrom(...values).map((v) => ({ [name]: v })) });

const headers = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...ACCEPTS.slice(0, 4)).map((a) => ({ accept: a })) },
      { weight: 1, arbitrary: fc.constant({}) },
      { weight: 2, arbitrary: fc.constantFrom(...ACCEPTS).map((a) => ({ accept: a })) },
    ),
    auth,
    optionalHeader('x-dry-run', ['true', 'false', 'TRUE', '1', '']),
    optionalHeader('x-graphql-csrf', ['1', '', 'x']),
    optionalHeader('origin', ['https://evil.example', 'null', 'http://localhost:4000']),
    optionalHeader('x-request-id', ['fuzz-1', 'x'.repeat(200), '../../etc', 'a b']),
  )
  .map((parts) => Object.assign({}, ...parts) as Record<string, string>);

/** The headers of a well-behaved client: a standard Accept and a right key; dry runs and request ids kept. */
function politeHeaders(headers: Record<string, string>, key: string): Record<string, string> {
  const { authorization: _a, 'x-api-key': _k, accept: _t, origin: _o, ...rest } = headers;
  return { ...rest, accept: 'application/graphql-response+json', authorization: `Bearer ${key}` };
}

/** Request extensions: none mostly, the dry-run flag in its forms, and junk. */
const extensions = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>({ dryRun: true }, { dryRun: 'true' }, { dryRun: false }, null, 'x', [], {
      persistedQuery: { version: 1, sha256Hash: 'abc' },
    }),
  },
);

/** How the operation travels, for a request that can have a body. */
type Encoding = 'json' | 'batch' | 'form' | 'graphql' | 'malformed' | 'none' | 'stream' | 'huge';
const encoding = fc.oneof(
  { weight: 14, arbitrary: fc.constant<Encoding>('json') },
  { weight: 1, arbitrary: fc.constantFrom<Encoding>('batch', 'form', 'graphql', 'none', 'stream', 'huge') },
  { weight: 2, arbitrary: fc.constant<Encoding>('malformed') },
);
const MALFORMED = [
  '{',
  '',
  'null',
  '[]',
  '"query"',
  '123',
  '{"query": 1}',
  '{"query": null}',
  '{"query": {"kind": "Document"}}',
  '{"query": "{ __typename }", "variables": "x"}',
  '{"query": "{ __typename }", "variables": [1]}',
  '{"query": "{ __typename }", "operationName": 5}',
  '{"query": "{ __typename }", "query": "{ nope }"}',
  '\ufeff{"query": "{ __typename }"}',
  '{"query": "{ __typename }"}garbage',
  '{"query": "{ target(target: \\"a.com\\") { rank } }", "variables": {"x": 1e999}}',
  `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
  `{"query": "{ __typename }", "extensions": ${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`,
];
const malformed = fc
  .constantFrom(...MALFORMED)
  .map((m) => (m.length < 200 ? `${m.replace(/\}$/, '')}${m.endsWith('}') ? `, "${ECHO_MARKER}": 1}` : ` ${ECHO_MARKER}`}` : m));

const json = (operation: GeneratedOperation, ext: unknown) =>
  JSON.stringify({ ...operation, ...(ext !== undefined ? { extensions: ext } : {}) });
function queryString(operation: GeneratedOperation, ext: unknown): string {
  const params = new URLSearchParams({ query: operation.query });
  if (operation.variables !== undefined)
    params.set('variables', typeof operation.variables === 'string' ? operation.variables : JSON.stringify(operation.variables));
  if (operation.operationName != null) params.set('operationName', operation.operationName);
  if (ext !== undefined) params.set('extensions', JSON.stringify(ext));
  return params.toString();
}

/** A complete hostile request. */
export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    variant: fc.integer({ min: 0, max: FUZZ_VARIANTS.length - 1 }),
    method,
    path,
    headers,
    contentType: fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/json') },
      { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
    operation,
    extensions,
    encoding,
    junkQuery: fc.oneof(
      { weight: 6, arbitrary: fc.constant('') },
      { weight: 1, arbitrary: fc.constantFrom('x=1', 'query=', 'query={__typename}', 'query=%7B__typename%7D', '%ZZ', 'a=1&a=2') },
    ),
    bodyOnGet: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    malformedBody: malformed,
    // Two requests in five are what a well-behaved client sends (but for the operation, still random): without
    // them almost every request would be refused at the door and the schema would hardly be exercised.
    polite: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 2, arbitrary: fc.constant(true) }),
    politeKey: KEY,
  })
  .map((r) =>
    r.polite
      ? {
          ...r,
          method: 'POST',
          path: '/graphql',
          contentType: 'application/json',
          encoding: 'json' as const,
          junkQuery: '',
          extensions: undefined,
          headers: politeHeaders(r.headers, r.politeKey),
        }
      : r,
  )
  .map((r): FuzzRequest => {
    const upper = r.method.toUpperCase();
    const hasBody = upper !== 'GET' && upper !== 'HEAD';
    const headers: Record<string, string> = { ...r.headers };
    const [pathname, existingQuery] = r.path.split('?');
    const query: string[] = existingQuery ? [existingQuery] : [];
    if (r.junkQuery) query.push(r.junkQuery);
    let body: string | undefined;
    let stream = false;
    if (!hasBody) {
      // GET and HEAD carry the operation in the query string (or, sometimes, nothing at all).
      if (r.bodyOnGet || r.encoding !== 'none') query.unshift(queryString(r.operation, r.extensions));
    } else {
      if (r.contentType !== undefined) headers['content-type'] = r.contentType;
      switch (r.encoding) {
        case 'json':
          body = json(r.operation, r.extensions);
          break;
        case 'batch':
          body = `[${json(r.operation, r.extensions)}, ${json({ query: '{ __typename }' }, undefined)}]`;
          break;
        case 'form':
          body = queryString(r.operation, r.extensions);
          break;
        case 'graphql':
          body = r.operation.query;
          break;
        case 'malformed':
          body = r.malformedBody;
          break;
        case 'stream':
          body = json(r.operation, r.extensions);
          stream = true;
          break;
        case 'huge':
          // Just over the default 100 000-byte body limit, or well under it with a huge variable.
          body = JSON.stringify({ ...r.operation, variables: { pad: 'x'.repeat(r.operation.query.length % 2 === 0 ? 100_001 : 60_000) } });
          break;
        case 'none':
          break;
      }
    }
    const carried = r.encoding === 'malformed' ? undefined : body !== undefined || !hasBody ? r.operation : undefined;
    const request: FuzzRequest = {
      variant: r.variant,
      method: r.method,
      path: `${pathname ?? ''}${query.length ? `?${query.join('&')}` : ''}`,
      headers,
    };
    if (body !== undefined) request.body = body;
    if (stream) request.stream = true;
    if (carried) {
      request.operation = carried;
      if (r.extensions !== undefined) request.extensions = r.extensions;
    }
    return request;
  });

const clip = (s: string, max = 400) => (s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s);

/** A request as a reproducer: variant, method, path, headers, body (long values clipped). */
export function renderRequest(request: FuzzRequest): string {
  const variant = FUZZ_VARIANTS[request.variant];
  const lines = [
    `app variant: ${variant?.name} ${JSON.stringify(variant?.env)}`,
    `${request.method} ${clip(decodeURIComponentSafe(request.path))}`,
  ];
  for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${clip(value, 120)}`);
  if (request.body !== undefined) lines.push('', `${request.stream ? '(streamed, no Content-Length) ' : ''}${clip(request.body, 1200)}`);
  return lines.join('\n');
}

function decodeURIComponentSafe(s: string): string {
  try {
    const decoded = decodeURIComponent(s);
    return decoded === s ? s : `${s}   [decoded: ${decoded}]`;
  } catch {
    return s;
  }
}
