import { Kind, parse, visit } from 'graphql';
import type { FuzzApp } from './fuzz-app.js';
import { FUZZ_SECRETS } from './fuzz-app.js';
import { ECHO_MARKER, type FuzzRequest } from './fuzz-requests.js';

/**
 * What must hold for every request a hostile client sends, whatever it is. Each broken rule is one violation with a
 * stable class name, so that a run can be summarised as "which guarantees fail, and the smallest request for each".
 */

/** What the test observed of one request. */
export interface Observation {
  status: number;
  headers: Headers;
  text: string;
  /** Upstream HTTP requests the sandbox received between the request's start and the end of its last call. */
  upstreamRequests: number;
  /** Wall-clock time of the request, ms. */
  durationMs: number;
  /** Upstream calls still queued or in flight when the response had been read. */
  pendingAfter: number;
  logLines: string[];
}

/** One broken rule: its class, and what exactly was seen. */
export interface Violation {
  rule: string;
  detail: string;
  /** What tells failures of one rule apart (an error message without its values, a status): one class each. */
  signature?: string;
}

/** A message with its values (quoted strings, numbers) taken out, to group failures by kind. */
const signatureOf = (message: string) =>
  message
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d+/g, 'N')
    .replace(/(got invalid value|must not be null|was not provided).*/, '$1 …')
    .slice(0, 80);

/** The JSON payloads of an event stream (`data:` lines) or a multipart/mixed body (each part after its headers). */
function streamedPayloads(contentType: string, text: string): string[] {
  if (/^text\/event-stream\b/i.test(contentType)) {
    return text
      .split(/\r?\n/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trim())
      .filter(Boolean);
  }
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1] ?? '-';
  return text
    .split(`--${boundary}`)
    .map((part) =>
      part
        .split(/\r?\n\r?\n/)
        .slice(1)
        .join('\n\n')
        .trim(),
    )
    .filter((p) => p.startsWith('{'));
}

/** Deadline of one in-process request: generous for a loaded 2-core machine, far below a frozen event loop. */
export const REQUEST_DEADLINE_MS = Number(process.env.FUZZ_DEADLINE_MS ?? 3000);
/** GraphiQL must be a small page (its assets may be served apart, compressed and cacheable). */
export const HTML_MAX_BYTES = 256 * 1024;

const JSON_TYPES = /^application\/(graphql-response\+)?json\b/i;
const PROTECTED_FREE_PATHS = /^\/+health\/*$/i;

interface GraphQLBody {
  data?: unknown;
  errors?: unknown;
  extensions?: { cost?: { estimatedUpstreamCalls?: unknown }; dryRun?: unknown };
}

/** Whether the request holds one of the configured keys in a form a gate could accept. */
export function carriesValidKey(request: FuzzRequest, keys: readonly string[]): boolean {
  const bearer = /^\s*bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  const header = request.headers['x-api-key']?.trim();
  return keys.some((k) => k === bearer || k === header);
}

/** Aliased fields anywhere in the document (every field counts, `__typename` included), or 0 if it does not parse. */
function aliasCount(query: string): number {
  try {
    let n = 0;
    visit(parse(query, { noLocation: true }), { [Kind.FIELD]: (node) => void (node.alias ? (n += 1) : 0) });
    return n;
  } catch {
    return 0;
  }
}

function isDryRun(request: FuzzRequest): boolean {
  const ext = request.extensions as { dryRun?: unknown } | undefined;
  return request.headers['x-dry-run'] === 'true' || (typeof ext === 'object' && ext !== null && ext.dryRun === true);
}

/** Every violation of the rules by one request and its response. */
export function checkRequest(app: FuzzApp, request: FuzzRequest, seen: Observation): Violation[] {
  const violations: Violation[] = [];
  const add = (rule: string, detail: string, signature?: string) =>
    violations.push({ rule, detail, ...(signature !== undefined ? { signature } : {}) });
  const contentType = seen.headers.get('content-type') ?? '';
  const upper = request.method.toUpperCase();
  const pathname = request.path.split('?')[0] ?? '';
  const keyed = app.keys.length > 0;
  const validKey = keyed && carriesValidKey(request, app.keys);

  if (seen.status >= 500) add('http-5xx', `status ${seen.status}: ${seen.text.slice(0, 300)}`);
  if (seen.durationMs > REQUEST_DEADLINE_MS)
    add('slow-request', `took ${Math.round(seen.durationMs)} ms (deadline ${REQUEST_DEADLINE_MS} ms)`);

  // The body: JSON where JSON is said, GraphQL-shaped errors with a code each.
  const bodies: GraphQLBody[] = [];
  const accept = request.headers.accept ?? '';
  const streamed =
    (/^text\/event-stream\b/i.test(contentType) && /text\/event-stream/i.test(accept)) ||
    (/^multipart\/mixed\b/i.test(contentType) && /multipart\/mixed/i.test(accept));
  const payloads = JSON_TYPES.test(contentType) ? [seen.text] : streamed ? streamedPayloads(contentType, seen.text) : [];
  if (seen.text.length > 0 && (JSON_TYPES.test(contentType) || streamed)) {
    for (const payload of payloads) {
      try {
        const parsed = JSON.parse(payload) as unknown;
        bodies.push(...(Array.isArray(parsed) ? parsed : [parsed]).filter((b): b is GraphQLBody => typeof b === 'object' && b !== null));
      } catch {
        add('json-unparseable', payload.slice(0, 200));
      }
    }
    if (bodies.length === 0) add('json-not-graphql', seen.text.slice(0, 200));
  } else if (seen.text.length > 0) {
    const html = /^text\/html\b/i.test(contentType);
    const metrics = /^text\/plain\b/i.test(contentType) && /^\/+metrics\/*$/i.test(pathname) && upper === 'GET';
    if (html && !app.graphiql) add('graphiql-when-off', `GRAPHIQL=false, yet ${upper} ${pathname} answered HTML`);
    else if (html && upper !== 'GET') add('unexpected-non-json', `${upper} answered HTML`);
    else if (!html && !metrics)
      add(
        'unexpected-non-json',
        `content-type "${contentType}" for ${upper} ${pathname}: ${seen.text.slice(0, 120)}`,
        contentType.split(';')[0],
      );
    if (html && seen.text.length > HTML_MAX_BYTES) add('graphiql-heavy', `an HTML page of ${seen.text.length} bytes, rendered per request`);
  }
  for (const body of bodies) {
    if (body.errors === undefined) continue;
    if (!Array.isArray(body.errors)) {
      add('errors-not-a-list', JSON.stringify(body.errors).slice(0, 200));
      continue;
    }
    for (const error of body.errors as { message?: unknown; extensions?: { code?: unknown } }[]) {
      if (typeof error?.extensions?.code !== 'string')
        add('error-without-code', `status ${seen.status}: ${String(error?.message).slice(0, 160)}`, signatureOf(String(error?.message)));
      if (/did you mean/i.test(String(error?.message))) add('suggestion-leak', String(error?.message).slice(0, 200));
      if (error?.extensions?.code === 'UPSTREAM_BAD_REQUEST')
        add('upstream-refused-request', `the sandbox refused what the server sent it: ${String(error.message).slice(0, 160)}`);
    }
    if (JSON.stringify(body.extensions ?? {}).includes('originalError') || JSON.stringify(body.errors).includes('originalError'))
      add('internal-error-detail', 'an error carries extensions.originalError');
  }

  // Secrets never leave: not in the body, not in a header, not in a log line.
  const headerText = [...seen.headers].map(([n, v]) => `${n}: ${v}`).join('\n');
  for (const secret of FUZZ_SECRETS) {
    if (seen.text.includes(secret)) add('secret-in-body', `a secret of ${secret.length} characters appears in the body`);
    if (headerText.includes(secret)) add('secret-in-header', `a secret of ${secret.length} characters appears in a header`);
    if (seen.logLines.some((l) => l.includes(secret)))
      add('secret-in-log', `a secret of ${secret.length} characters appears in a log line`);
  }
  if (seen.text.includes(ECHO_MARKER)) add('request-echoed', `the response quotes the malformed body: ${seen.text.slice(0, 200)}`);

  // The gate: with keys configured, nothing but liveness and preflights answers without one.
  if (keyed && !validKey && seen.status < 400) {
    const preflight = upper === 'OPTIONS' && seen.text.length === 0;
    const route = pathname.replace(/\/+$/, '').replace(/^\/+/, '/').toLowerCase() || '/';
    if (!preflight && !PROTECTED_FREE_PATHS.test(pathname))
      add(
        'no-key-not-refused',
        `status ${seen.status} (${contentType || 'no content type'}) without a valid key`,
        `${route} ${contentType.split(';')[0]}`,
      );
  }

  // CORS stays closed to other origins unless CORS_ORIGINS opens it.
  const origin = request.headers.origin;
  const allowed = seen.headers.get('access-control-allow-origin');
  if (origin && allowed && app.corsOrigins === '*' && origin !== 'http://localhost:4000' && (allowed === '*' || allowed === origin)) {
    add('cors-open', `Origin ${origin} gets access-control-allow-origin: ${allowed} with CORS_ORIGINS unset`);
  }

  // Money: a refused request makes no upstream call; an accepted one stays within its budget and its estimate.
  const withData = bodies.filter((b) => typeof b.data === 'object' && b.data !== null);
  const refused = seen.status >= 400 || withData.length === 0 || (keyed && !validKey) || isDryRun(request);
  const calls = seen.upstreamRequests;
  if (refused && calls > 0) {
    const why =
      seen.status >= 400 ? `status ${seen.status}` : keyed && !validKey ? 'no valid key' : isDryRun(request) ? 'a dry run' : 'no data';
    add('refused-but-paid', `${calls} upstream calls for a refused request (${why})`, why.replace(/\d+/g, 'N'));
  }
  if (calls > app.maxUpstreamCallsPerOperation) add('over-budget', `${calls} upstream calls, limit ${app.maxUpstreamCallsPerOperation}`);
  if (!refused && calls > 0) {
    const estimates = withData.map((b) => b.extensions?.cost?.estimatedUpstreamCalls);
    if (!estimates.every((e) => typeof e === 'number'))
      add('ran-unbudgeted', `${calls} upstream calls with estimatedUpstreamCalls ${JSON.stringify(estimates)}`);
    else if (calls > estimates.reduce((a, b) => a + b, 0))
      add('estimate-below-calls', `${calls} upstream calls, estimated ${JSON.stringify(estimates)}`);
  }
  if (seen.pendingAfter > 0)
    add('calls-outlive-request', `${seen.pendingAfter} upstream calls still queued or in flight after the response`);

  // Armor: aliases of every field count.
  if (withData.length > 0 && request.operation && aliasCount(request.operation.query) > app.maxAliases) {
    add('alias-limit-bypassed', `${aliasCount(request.operation.query)} aliases accepted (limit ${app.maxAliases})`);
  }
  return violations;
}
