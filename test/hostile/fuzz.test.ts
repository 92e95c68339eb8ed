import { OPERATION_NAME_LABELS_MAX } from '../../src/ops/metrics.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/server.js';
import { createFuzzApp, FUZZ_CLIENT_KEYS, FUZZ_VARIANTS, type FuzzApp } from '../helpers/fuzz-app.js';
import { checkRequest, REQUEST_DEADLINE_MS, type Observation, type Violation } from '../helpers/fuzz-oracle.js';
import { fuzzRequest, renderRequest, type FuzzRequest } from '../helpers/fuzz-requests.js';
import { startSandbox } from '../helpers/sandbox.js';

/**
 * The hostile fuzz test: thousands of generated requests (operations over the schema, bodies, headers, methods,
 * paths; see test/helpers/fuzz-requests.ts) against apps built like production over the sandbox, with API keys and
 * GraphiQL on and off. For every request: no 5xx, every error has a code, JSON unless HTML/metrics/empty is
 * expected, no secret anywhere, nothing answered without a key when keys are configured, and no upstream call for
 * a refused request — counted at the sandbox, one request at a time (see test/helpers/fuzz-oracle.ts).
 *
 * The seed is fixed so CI is reproducible: FC_SEED=… explores others, FC_RUNS=… changes the count.
 * FUZZ_COLLECT=1 does not stop at the first failure: it runs them all and prints, per broken rule, how often it
 * broke and the shortest request that broke it.
 */
const SEED = Number(process.env.FC_SEED ?? 20261201);
const RUNS = Number(process.env.FC_RUNS ?? 10_000);
const COLLECT = process.env.FUZZ_COLLECT === '1';
/** Distinct operation names /metrics may list as labels after the run (names are made up by clients). */
// The first OPERATION_NAME_LABELS_MAX names, plus "Anonymous" and "other".
const MAX_OPERATION_LABELS = OPERATION_NAME_LABELS_MAX + 2;

let sandbox: Sandbox;
let apps: FuzzApp[];

beforeAll(async () => {
  // The sandbox's own limits are not under test: counting is, so none of its refusals may blur the count.
  const started = await startSandbox({ maxConcurrency: 100_000, maxPerMinute: 100_000_000 });
  sandbox = started.sandbox;
  apps = FUZZ_VARIANTS.map((variant) => createFuzzApp(started.url, variant));
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await sandbox.close();
});

/** Waits (briefly) until no upstream call is queued or in flight, so that every call is counted for its request. */
async function settle(app: FuzzApp): Promise<void> {
  for (let i = 0; i < 50 && (app.pending() > 0 || sandbox.stats().inFlight > 0); i++) await new Promise((r) => setTimeout(r, 10));
}

let sent = 0;

/** Sends one request in-process and observes it, upstream calls included. */
async function send(app: FuzzApp, request: FuzzRequest): Promise<Observation> {
  await settle(app);
  app.takeLog();
  const before = sandbox.stats().requests;
  const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers: { ...request.headers } };
  if (request.body !== undefined) {
    const bytes = new TextEncoder().encode(request.body);
    // A string body would get "text/plain" from fetch: bytes keep a request without Content-Type without one.
    init.body = request.stream
      ? new ReadableStream({ start: (c) => (c.enqueue(bytes), c.close()) })
      : request.headers['content-type'] === undefined
        ? bytes
        : request.body;
    if (request.stream) init.duplex = 'half';
  }
  const started = performance.now();
  // Clients come from many (loopback-range) addresses, a few requests each: one address for the whole run would
  // spend most of it in the wrong-key throttle's 429s; a few requests per address still reach the throttle.
  sent += 1;
  const remoteAddress = `127.${(sent >> 20) & 255}.${(sent >> 12) & 255}.${(sent >> 4) & 255}`;
  const response = await app.yoga.fetch(`http://yoga${request.path}`, init, { req: { socket: { remoteAddress } } });
  const text = await response.text();
  const durationMs = performance.now() - started;
  const pendingAfter = app.pending();
  await settle(app);
  return {
    status: response.status,
    headers: response.headers,
    text,
    upstreamRequests: sandbox.stats().requests - before,
    durationMs,
    pendingAfter,
    logLines: app.takeLog(),
  };
}

/** What the run saw, for the coverage check and the summary. */
const outcomes = {
  requests: 0,
  withData: 0,
  refused: 0,
  upstreamRequests: 0,
  byStatus: {} as Record<string, number>,
  maxDurationMs: 0,
  overDeadlineMs: 0,
  slowest: [] as [number, string][],
};
/** In collect mode: the most common messages of 400 answers, to see what the generator gets refused for. */
const messages = new Map<string, number>();
/** In collect mode: per broken rule, how often, and the shortest reproducer. */
const collected = new Map<string, { count: number; shortest: string; detail: string }>();

function record(request: FuzzRequest, seen: Observation, violations: Violation[]): void {
  outcomes.requests += 1;
  outcomes.upstreamRequests += seen.upstreamRequests;
  outcomes.byStatus[seen.status] = (outcomes.byStatus[seen.status] ?? 0) + 1;
  outcomes.maxDurationMs = Math.max(outcomes.maxDurationMs, seen.durationMs);
  if (seen.durationMs > REQUEST_DEADLINE_MS) outcomes.overDeadlineMs += seen.durationMs;
  if (COLLECT && seen.status === 400) {
    const m = /"message":"((?:[^"\\]|\\.){0,60})/.exec(seen.text)?.[1]?.replace(/\d+/g, 'N') ?? seen.text.slice(0, 40);
    messages.set(m, (messages.get(m) ?? 0) + 1);
  }
  if (COLLECT)
    outcomes.slowest = [...outcomes.slowest, [seen.durationMs, renderRequest(request).slice(0, 300)] as [number, string]]
      .sort((a, b) => b[0] - a[0])
      .slice(0, 8);
  if (/"data":\{/.test(seen.text) && seen.status < 400) outcomes.withData += 1;
  else outcomes.refused += 1;
  for (const v of violations) {
    const shown = renderRequest(request);
    const key = v.signature === undefined ? v.rule : `${v.rule} [${v.signature}]`;
    const entry = collected.get(key);
    if (!entry) collected.set(key, { count: 1, shortest: shown, detail: v.detail });
    else {
      entry.count += 1;
      if (shown.length < entry.shortest.length) Object.assign(entry, { shortest: shown, detail: v.detail });
    }
  }
}

describe('a hostile client', () => {
  it(`gets no 5xx, no uncoded error, no secret, and costs nothing when refused (${RUNS} requests)`, { timeout: 900_000 }, async () => {
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (request) => {
        const app = apps[request.variant];
        if (!app) throw new Error(`no variant ${request.variant}`);
        const seen = await send(app, request);
        const violations = checkRequest(app, request, seen);
        record(request, seen, violations);
        if (violations.length > 0 && !COLLECT) {
          throw new Error(
            [
              ...violations.map((v) => `${v.rule}: ${v.detail}`),
              '',
              '--- reproducer ---',
              renderRequest(request),
              '--- response ---',
              `${seen.status} ${seen.headers.get('content-type') ?? ''}`,
              seen.text.slice(0, 600),
            ].join('\n'),
          );
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: false },
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `fuzz: ${outcomes.requests} requests in ${seconds.toFixed(1)} s, ${outcomes.withData} with data, ${outcomes.refused} refused, ` +
        `${outcomes.upstreamRequests} upstream requests, slowest ${Math.round(outcomes.maxDurationMs)} ms, ` +
        `${(outcomes.overDeadlineMs / 1000).toFixed(1)} s in requests over the deadline; statuses ${JSON.stringify(outcomes.byStatus)}`,
    );
    if (COLLECT) {
      const report = [...collected.entries()]
        .sort((a, b) => b[1].count - a[1].count)
        .map(([rule, e]) => `### ${rule} (${e.count}×)\n${e.detail}\n${e.shortest}`);
      console.log(
        `fuzz: most common 400 messages\n${[...messages.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 25)
          .map(([m, n]) => `${n} ${m}`)
          .join('\n')}`,
      );
      console.log(`fuzz: slowest\n${outcomes.slowest.map(([ms, r]) => `${Math.round(ms)} ms ${r}`).join('\n')}`);
      console.log(`fuzz: ${collected.size} broken rules\n\n${report.join('\n\n')}`);
      expect([...collected.keys()]).toEqual([]);
    }
    // A fuzz that only ever meets refusals (or only successes) proves little: both must be common.
    expect(outcomes.withData).toBeGreaterThan(RUNS / 20);
    expect(outcomes.refused).toBeGreaterThan(RUNS / 5);
    expect(outcomes.upstreamRequests).toBeGreaterThan(RUNS / 20);
  });

  it(`leaves /metrics with at most ${MAX_OPERATION_LABELS} operation-name labels, however many names clients make up`, async () => {
    for (const app of apps) {
      const headers = {
        'content-type': 'application/json',
        ...(app.keys.length > 0 ? { authorization: `Bearer ${FUZZ_CLIENT_KEYS[0]}` } : {}),
      };
      // On top of whatever the fuzz run sent: 3 × the limit of fresh names, so this holds even if the run stopped early.
      for (let i = 0; i < 3 * MAX_OPERATION_LABELS; i++) {
        await (
          await app.yoga.fetch('http://yoga/graphql', {
            method: 'POST',
            headers,
            body: JSON.stringify({ query: `query Made${i}Up { __typename }` }),
          })
        ).text();
      }
      const response = await app.yoga.fetch('http://yoga/metrics', { headers });
      const text = await response.text();
      const names = new Set([...text.matchAll(/operationName="([^"]*)"/g)].map((m) => m[1]));
      expect(names.size, `${app.variant.name}: ${names.size} operation names, /metrics is ${text.length} bytes`).toBeLessThanOrEqual(
        MAX_OPERATION_LABELS,
      );
    }
  });
});
