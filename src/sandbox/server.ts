import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEndpoints, createLru, type SandboxEndpoints } from './endpoints.js';
import { SandboxTaskError } from './filters.js';
import { createRng, hashString } from './random.js';
import { normalizeTarget } from '../dataforseo/target.js';

/**
 * The embedded DataForSEO-compatible upstream. It speaks both wire formats the client uses:
 * - DataForSEO's: `POST /v3/backlinks/{endpoint}/live`, HTTP Basic, a JSON array of tasks (only the first is
 *   processed; the others come back as 40000), failures as status codes inside HTTP 200 envelopes;
 * - AIsa's: `POST {any prefix}/dataforseo/backlinks/{endpoint}/live`, Bearer, one task object, HTTP 401/429/5xx
 *   with `{"error":{…}}` bodies, task-level codes in a 200 envelope as usual.
 * It enforces the upstream's limits (concurrency → 40209, calls per rolling minute → 40202), bills like it
 * ($0.02 per call + $0.00003 per row), and can inject faults. Control endpoints under `/_sandbox/` expose counters.
 */

/** Faults to inject; settable at start or at any time through `setFaults` or `PUT /_sandbox/faults`. */
export interface SandboxFaults {
  /** Added latency per admitted call: a fixed number of ms, or uniform in [min, max]. */
  latencyMs?: number | { min: number; max: number };
  /**
   * Latency of the calls to one endpoint (as routed: `summary`, `domain_intersection`, `bulk_ranks` …), in place of
   * `latencyMs` for that endpoint; e.g. `{ "domain_intersection": 1500, "summary": 0 }`.
   */
  latencyMsByEndpoint?: Readonly<Record<string, number | { min: number; max: number }>>;
  /** Share of admitted calls (0–1) that fail transiently. */
  errorRate?: number;
  /** Which transient failures to draw from. Default: all four. */
  errorKinds?: readonly TransientFault[];
  /** A task status code to answer for a given target (as normalised), e.g. `{"broken.com": 40501}`. */
  targetCodes?: Readonly<Record<string, number>>;
  /** Seed of the fault draws, so a failing run can be replayed. Default 1. */
  seed?: number;
}

export type TransientFault = '50000' | '50401' | 'http500' | 'reset';
const ALL_FAULTS: readonly TransientFault[] = ['50000', '50401', 'http500', 'reset'];

/** Options of `createSandbox`. */
export interface SandboxOptions {
  /** Calls processed at once; one more gets 40209. Default 30, as upstream. */
  maxConcurrency?: number;
  /** Calls admitted per rolling window; one more gets 40202. Default 2000, as upstream. */
  maxPerMinute?: number;
  /** The window of `maxPerMinute`, in ms. Default 60 000; tests shorten it rather than wait a minute. */
  windowMs?: number;
  /** If set, Basic credentials must match; otherwise any non-empty login is accepted. */
  credentials?: { login: string; password: string };
  /** If set, AIsa Bearer keys must be one of these; otherwise any non-empty key is accepted. */
  apiKeys?: readonly string[];
  faults?: SandboxFaults;
  /** Clock for the per-minute window, in ms. Default `Date.now`. */
  now?: () => number;
  /**
   * The real clock (ms) the bulk new/lost endpoints read `date_from` against (its range and its shift onto the
   * sandbox's own today, see endpoints.ts); tests pin it. Default `Date.now`. Ignored when `endpoints` is given.
   */
  clock?: () => number;
  /** Endpoints over a shared link graph; default a new one. */
  endpoints?: SandboxEndpoints;
}

/** What the sandbox saw: the figures load tests assert on. */
export interface SandboxStats {
  /** Requests to live endpoints, admitted or not. */
  requests: number;
  /** Calls admitted past auth and limits. */
  calls: number;
  callsByEndpoint: Record<string, number>;
  inFlight: number;
  maxInFlight: number;
  /** The most calls admitted within any rolling window. */
  maxPerMinute: number;
  rejectedConcurrency: number;
  rejectedPerMinute: number;
  rejectedAuth: number;
  faultsInjected: number;
  /** USD billed, summed over envelopes. */
  billedUsd: number;
}

export interface Sandbox {
  /** The Node request listener, for mounting elsewhere. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Listens on loopback (port 0 = any free port); resolves to the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  setFaults(faults: SandboxFaults): void;
  stats(): SandboxStats;
  resetStats(): void;
}

export const SANDBOX_VERSION = '0.1.20261101-sandbox (synthetic data, not DataForSEO)';
const CALL_USD = 0.02;
const ROW_USD = 0.00003;
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Serialised answers kept for repeated single-task calls: answers are deterministic, so replaying is exact. */
const ANSWER_CACHE_BYTES = 64 * 1024 * 1024;

function emptyStats(): SandboxStats {
  return {
    requests: 0,
    calls: 0,
    callsByEndpoint: {},
    inFlight: 0,
    maxInFlight: 0,
    maxPerMinute: 0,
    rejectedConcurrency: 0,
    rejectedPerMinute: 0,
    rejectedAuth: 0,
    faultsInjected: 0,
    billedUsd: 0,
  };
}

function roundUsd(usd: number): number {
  return Math.round(usd * 1e5) / 1e5;
}

function taskId(seed: string): string {
  const h = (n: number) => hashString(seed, n).toString(16).padStart(8, '0');
  return `11011200-1535-0${h(1).slice(0, 3)}-0000-${h(2)}${h(3).slice(0, 4)}`;
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const ROUTE_DATAFORSEO = /^\/v3\/backlinks\/([a-z_]+)\/live\/?$/;
const ROUTE_AISA = /^(?:\/[^?]*)?\/dataforseo\/backlinks\/([a-z_]+)\/live\/?$/;

/** Creates a sandbox; call `listen()` to serve it. */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const endpoints = options.endpoints ?? createEndpoints(undefined, options.clock ? { clock: options.clock } : {});
  const maxConcurrency = options.maxConcurrency ?? 30;
  const maxPerMinute = options.maxPerMinute ?? 2000;
  const now = options.now ?? Date.now;
  const windowMs = options.windowMs ?? 60_000;
  let faults: SandboxFaults = options.faults ?? {};
  let faultRng = createRng(faults.seed ?? 1);
  let stats = emptyStats();
  const answerCache = createLru<{ text: string; cost: number }>(ANSWER_CACHE_BYTES, (a) => a.text.length);
  const admitted: number[] = [];
  let server: Server | undefined;

  function envelope(statusCode: number, statusMessage: string, tasks: unknown[], costUsd: number, rows: number) {
    return {
      version: SANDBOX_VERSION,
      status_code: statusCode,
      status_message: statusMessage,
      time: `${(0.05 + rows * 0.0002).toFixed(4)} sec.`,
      cost: roundUsd(costUsd),
      tasks_count: tasks.length,
      tasks_error: tasks.filter((t) => (t as { status_code: number }).status_code !== 20000).length,
      tasks,
    };
  }

  function task(
    endpoint: string,
    id: string,
    statusCode: number,
    message: string,
    data: unknown,
    result: unknown,
    rows: number,
    cost: number,
  ) {
    return {
      id,
      status_code: statusCode,
      status_message: message,
      time: `${(0.04 + rows * 0.0002).toFixed(4)} sec.`,
      cost: roundUsd(cost),
      result_count: result === null ? 0 : 1,
      path: ['v3', 'backlinks', endpoint, 'live'],
      data: { api: 'backlinks', function: endpoint, ...(typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {}) },
      result: result === null ? null : [result],
    };
  }

  function pruneWindow(t: number): void {
    while (admitted.length > 0 && (admitted[0] ?? 0) <= t - windowMs) admitted.shift();
  }

  function targetCodeFor(body: unknown): number | undefined {
    const codes = faults.targetCodes;
    if (!codes || typeof body !== 'object' || body === null) return undefined;
    const record = body as { target?: unknown; targets?: unknown };
    const candidates = [
      record.target,
      ...(Array.isArray(record.targets)
        ? (record.targets as unknown[])
        : (Object.values((record.targets as object | undefined) ?? {}) as unknown[])),
    ];
    for (const c of candidates) {
      if (typeof c !== 'string') continue;
      try {
        const code = codes[normalizeTarget(c).value] ?? codes[c];
        if (code !== undefined) return code;
      } catch {
        // An invalid target is the endpoint's to refuse.
      }
    }
    return undefined;
  }

  function answerTask(endpoint: string, body: unknown, index: number): { task: unknown; cost: number; rows: number } {
    const id = taskId(`${endpoint}\n${index}\n${JSON.stringify(body)}`);
    if (index > 0) return { task: task(endpoint, id, 40000, 'You can set only one task at a time.', body, null, 0, 0), cost: 0, rows: 0 };
    const injected = targetCodeFor(body);
    if (injected !== undefined) return { task: task(endpoint, id, injected, 'Injected failure.', body, null, 0, 0), cost: 0, rows: 0 };
    try {
      const answer = endpoints.handle(endpoint, body);
      const cost = CALL_USD + ROW_USD * answer.rows;
      return { task: task(endpoint, id, 20000, 'Ok.', body, answer.result, answer.rows, cost), cost, rows: answer.rows };
    } catch (error) {
      if (!(error instanceof SandboxTaskError)) throw error;
      return { task: task(endpoint, id, error.statusCode, error.message, body, null, 0, 0), cost: 0, rows: 0 };
    }
  }

  /** Whether a DataForSEO Basic authorization is one the sandbox accepts (any non-empty login, or the configured one). */
  function acceptsBasic(auth: string): boolean {
    const m = /^Basic\s+(.+)$/i.exec(auth);
    const [login = '', ...rest] = m
      ? Buffer.from(m[1] ?? '', 'base64')
          .toString('utf8')
          .split(':')
      : [];
    const password = rest.join(':');
    const expected = options.credentials;
    return Boolean(login) && (!expected || (expected.login === login && expected.password === password));
  }

  /** `GET /v3/appendix/user_data`: the account, free, as upstream; what a server checks its credentials with. */
  function handleUserData(req: IncomingMessage, res: ServerResponse): void {
    if (!acceptsBasic(req.headers.authorization ?? '')) {
      stats.rejectedAuth += 1;
      send(res, 401, envelope(40100, 'You are not authorized to access this resource. Use HTTP Basic authentication.', [], 0, 0));
      return;
    }
    const id = taskId('appendix/user_data');
    const account = { login: 'sandbox', timezone: 'UTC', rates: null, money: { total: 0, balance: 0, limits: null }, price: null };
    send(
      res,
      200,
      envelope(
        20000,
        'Ok.',
        [{ ...task('user_data', id, 20000, 'Ok.', null, account, 1, 0), path: ['v3', 'appendix', 'user_data'] }],
        0,
        0,
      ),
    );
  }

  async function handleLive(req: IncomingMessage, res: ServerResponse, endpoint: string, wire: 'dataforseo' | 'aisa'): Promise<void> {
    stats.requests += 1;
    const requestId = `req_${stats.requests}`;
    const fail = (http: number, code: number, message: string, aisaType: string, headers: Record<string, string> = {}) => {
      if (wire === 'aisa') send(res, http, { error: { type: aisaType, code, message, request_id: requestId } }, headers);
      else send(res, http === 429 ? 200 : http, envelope(code, message, [], 0, 0));
    };
    const auth = req.headers.authorization ?? '';
    if (wire === 'dataforseo') {
      if (!acceptsBasic(auth)) {
        stats.rejectedAuth += 1;
        await readBody(req);
        send(res, 401, envelope(40100, 'You are not authorized to access this resource. Use HTTP Basic authentication.', [], 0, 0));
        return;
      }
    } else {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      const key = m?.[1] ?? '';
      if (!key || (options.apiKeys && !options.apiKeys.includes(key))) {
        stats.rejectedAuth += 1;
        await readBody(req);
        fail(401, 40100, 'Missing or invalid API key.', 'authentication_error');
        return;
      }
    }
    const text = await readBody(req);
    let body: unknown;
    try {
      body = text === null ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    const tasks = wire === 'dataforseo' ? body : [body];
    if (!Array.isArray(tasks) || tasks.length === 0 || typeof tasks[0] !== 'object' || tasks[0] === null) {
      fail(400, 40503, 'POST Data Is Invalid.', 'invalid_request_error');
      return;
    }

    const t = now();
    pruneWindow(t);
    if (stats.inFlight >= maxConcurrency) {
      stats.rejectedConcurrency += 1;
      fail(429, 40209, 'Too many simultaneous requests. Limit: ' + maxConcurrency + '.', 'rate_limit_error', { 'retry-after': '1' });
      return;
    }
    if (admitted.length >= maxPerMinute) {
      stats.rejectedPerMinute += 1;
      const wait = Math.max(1, Math.ceil(((admitted[0] ?? t) + windowMs - t) / 1000));
      fail(429, 40202, 'Rate limit per minute exceeded. Limit: ' + maxPerMinute + '.', 'rate_limit_error', { 'retry-after': String(wait) });
      return;
    }
    admitted.push(t);
    stats.calls += 1;
    stats.callsByEndpoint[endpoint] = (stats.callsByEndpoint[endpoint] ?? 0) + 1;
    stats.maxPerMinute = Math.max(stats.maxPerMinute, admitted.length);
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    try {
      const latency = Object.hasOwn(faults.latencyMsByEndpoint ?? {}, endpoint) ? faults.latencyMsByEndpoint?.[endpoint] : faults.latencyMs;
      const delay = typeof latency === 'number' ? latency : latency ? latency.min + faultRng.next() * (latency.max - latency.min) : 0;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if ((faults.errorRate ?? 0) > 0 && faultRng.next() < (faults.errorRate ?? 0)) {
        stats.faultsInjected += 1;
        const kind = faultRng.pick(faults.errorKinds?.length ? faults.errorKinds : ALL_FAULTS);
        if (kind === 'reset') {
          res.socket?.destroy();
          return;
        }
        if (kind === 'http500') {
          fail(500, 50000, 'Internal Server Error.', 'api_error');
          return;
        }
        const code = Number(kind);
        const id = taskId(`${endpoint}\nfault\n${stats.calls}`);
        send(
          res,
          200,
          envelope(20000, 'Ok.', [task(endpoint, id, code, code === 50401 ? 'Timeout.' : 'Internal Error.', tasks[0], null, 0, 0)], 0, 0),
        );
        return;
      }
      // The scope keeps an answer that depends on the real day (new/lost: date_from) from outliving that day.
      const cacheKey =
        tasks.length === 1 && targetCodeFor(tasks[0]) === undefined
          ? `${endpoint}\n${endpoints.answerScope(endpoint)}\n${JSON.stringify(tasks[0])}`
          : undefined;
      let answer = cacheKey === undefined ? undefined : answerCache.get(cacheKey);
      if (!answer) {
        const answers = tasks.map((tk, i) => answerTask(endpoint, tk, i));
        const cost = answers.reduce((sum, a) => sum + a.cost, 0);
        const rows = answers.reduce((sum, a) => sum + a.rows, 0);
        answer = {
          text: JSON.stringify(
            envelope(
              20000,
              'Ok.',
              answers.map((a) => a.task),
              cost,
              rows,
            ),
          ),
          cost,
        };
        if (cacheKey !== undefined) answerCache.set(cacheKey, answer);
      }
      stats.billedUsd = roundUsd(stats.billedUsd + answer.cost);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer.text) });
      res.end(answer.text);
    } finally {
      stats.inFlight -= 1;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && (path === '/health' || path === '/_sandbox/health'))
      return send(res, 200, { ok: true, version: SANDBOX_VERSION });
    if (req.method === 'GET' && path === '/_sandbox/stats') return send(res, 200, stats);
    if (req.method === 'GET' && path === '/v3/appendix/user_data') return handleUserData(req, res);
    if (req.method === 'POST' && path === '/_sandbox/reset') {
      sandbox.resetStats();
      return send(res, 200, stats);
    }
    if (req.method === 'PUT' && path === '/_sandbox/faults') {
      const text = await readBody(req);
      try {
        sandbox.setFaults(JSON.parse(text ?? '{}') as SandboxFaults);
        return send(res, 200, faults);
      } catch {
        return send(res, 400, { error: 'expected a JSON object of faults' });
      }
    }
    const dataforseo = ROUTE_DATAFORSEO.exec(path);
    const aisa = dataforseo ? null : ROUTE_AISA.exec(path);
    const endpoint = dataforseo?.[1] ?? aisa?.[1];
    if (req.method === 'POST' && endpoint) return handleLive(req, res, endpoint, dataforseo ? 'dataforseo' : 'aisa');
    await readBody(req);
    if (aisa || path.includes('/dataforseo/'))
      return send(res, 404, { error: { type: 'not_found_error', code: 40400, message: 'Not Found.' } });
    return send(res, 404, envelope(40400, 'Not Found.', [], 0, 0));
  }

  const sandbox: Sandbox = {
    handler: (req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) send(res, 500, envelope(50000, 'Internal Server Error.', [], 0, 0));
        else res.destroy();
      });
    },
    listen(port = 0, host = '127.0.0.1') {
      server = createServer(sandbox.handler);
      // Keep-alive longer than undici's default 4 s idle timeout avoids resets on reused sockets.
      server.keepAliveTimeout = 10_000;
      const s = server;
      return new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => {
          const { port: p } = s.address() as AddressInfo;
          resolve(`http://${host.includes(':') ? `[${host}]` : host}:${p}`);
        });
      });
    },
    close() {
      const s = server;
      if (!s) return Promise.resolve();
      return new Promise((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    },
    setFaults(next) {
      faults = next;
      faultRng = createRng(next.seed ?? 1);
    },
    stats: () => ({ ...stats, callsByEndpoint: { ...stats.callsByEndpoint } }),
    resetStats() {
      const inFlight = stats.inFlight;
      stats = { ...emptyStats(), inFlight };
      admitted.length = 0;
    },
  };
  return sandbox;
}
