import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A strict upstream double on a loopback socket. Each expectation answers one call (or `times` calls) of an
 * endpoint whose task matches; a call nobody expected gets HTTP 599 and is recorded, and `assertDone()` fails on
 * unexpected calls and on expectations never used. It records every call and the highest concurrency seen.
 */

export interface RecordedCall {
  endpoint: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The body as parsed JSON: an array for the DataForSEO wire, an object for AIsa's. */
  body: unknown;
  /** The task: `body[0]` or `body`. */
  task: Record<string, unknown>;
}

export interface Expectation {
  endpoint: string;
  /** Only calls whose task matches; default any. */
  match?: (task: Record<string, unknown>) => boolean;
  /** The JSON body to answer, or a function of the task. */
  reply: ((task: Record<string, unknown>) => unknown) | Record<string, unknown> | unknown[];
  status?: number;
  headers?: Record<string, string>;
  delayMs?: number;
  /** How many calls it answers; default 1. */
  times?: number;
}

export interface MockUpstream {
  url: string;
  expect(expectation: Expectation): void;
  calls: RecordedCall[];
  maxConcurrent: number;
  assertDone(): void;
  reset(): void;
  close(): Promise<void>;
}

const ROUTE = /\/backlinks\/([a-z_]+)\/live$/;

export async function createMockUpstream(): Promise<MockUpstream> {
  let pending: (Expectation & { left: number })[] = [];
  const calls: RecordedCall[] = [];
  const unexpected: string[] = [];
  let inFlight = 0;
  const state = { maxConcurrent: 0 };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        inFlight += 1;
        state.maxConcurrent = Math.max(state.maxConcurrent, inFlight);
        try {
          const path = req.url ?? '';
          const endpoint = ROUTE.exec(path)?.[1] ?? '';
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as unknown;
          const task = (Array.isArray(body) ? body[0] : body) as Record<string, unknown>;
          calls.push({ endpoint, path, headers: req.headers, body, task });
          const found = pending.find((e) => e.endpoint === endpoint && (!e.match || e.match(task)));
          if (!found) {
            unexpected.push(`${endpoint} ${JSON.stringify(task)}`);
            res.writeHead(599, { 'content-type': 'application/json' }).end('{"unexpected":true}');
            return;
          }
          found.left -= 1;
          if (found.left === 0) pending = pending.filter((e) => e !== found);
          if (found.delayMs) await new Promise((r) => setTimeout(r, found.delayMs));
          const reply = typeof found.reply === 'function' ? found.reply(task) : found.reply;
          res.writeHead(found.status ?? 200, { 'content-type': 'application/json', ...found.headers }).end(JSON.stringify(reply));
        } finally {
          inFlight -= 1;
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    get maxConcurrent() {
      return state.maxConcurrent;
    },
    expect(expectation) {
      pending.push({ ...expectation, left: expectation.times ?? 1 });
    },
    assertDone() {
      const problems = [
        ...unexpected.map((u) => `unexpected call: ${u}`),
        ...pending.map((e) => `unused expectation: ${e.endpoint} (${e.left} left)`),
      ];
      if (problems.length > 0) throw new Error(`mock upstream:\n${problems.join('\n')}`);
    },
    reset() {
      pending = [];
      calls.length = 0;
      unexpected.length = 0;
      state.maxConcurrent = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A successful envelope around one result, billed like the upstream. */
export function okEnvelope(endpoint: string, result: unknown, options: { cost?: number; rows?: number } = {}) {
  const cost = options.cost ?? 0.02 + 0.00003 * (options.rows ?? 1);
  return {
    version: '0.1.test',
    status_code: 20000,
    status_message: 'Ok.',
    time: '0.1 sec.',
    cost,
    tasks_count: 1,
    tasks_error: 0,
    tasks: [
      {
        id: 'test-task',
        status_code: 20000,
        status_message: 'Ok.',
        time: '0.1 sec.',
        cost,
        result_count: 1,
        path: ['v3', 'backlinks', endpoint, 'live'],
        data: {},
        result: [result],
      },
    ],
  };
}

/** An envelope whose task failed with `code`. */
export function taskErrorEnvelope(endpoint: string, code: number, message = 'Task failed.') {
  return {
    version: '0.1.test',
    status_code: 20000,
    status_message: 'Ok.',
    time: '0.1 sec.',
    cost: 0,
    tasks_count: 1,
    tasks_error: 1,
    tasks: [
      {
        id: 'test-task',
        status_code: code,
        status_message: message,
        time: '0.1 sec.',
        cost: 0,
        result_count: 0,
        path: ['v3', 'backlinks', endpoint, 'live'],
        data: {},
        result: null,
      },
    ],
  };
}

/** An envelope that failed as a whole with `code`. */
export function envelopeError(code: number, message = 'Failed.') {
  return {
    version: '0.1.test',
    status_code: code,
    status_message: message,
    time: '0 sec.',
    cost: 0,
    tasks_count: 0,
    tasks_error: 0,
    tasks: [],
  };
}

/** A minimal summary result. */
export function summaryResult(target: string, overrides: Record<string, unknown> = {}) {
  return {
    target,
    rank: 100,
    backlinks: 10,
    first_seen: '2020-01-02 03:04:05 +00:00',
    lost_date: null,
    referring_domains: 3,
    referring_main_domains: 2,
    ...overrides,
  };
}

/** A referring_domains result holding items named `d{offset}.com` … for the window asked. */
export function referringDomainsResult(task: Record<string, unknown>, total: number) {
  const offset = Number(task.offset ?? 0);
  const limit = Number(task.limit ?? 100);
  const items = [];
  for (let i = offset; i < Math.min(total, offset + limit); i++)
    items.push({ type: 'backlinks_referring_domain', domain: `d${i}.com`, rank: 1000 - i, backlinks: i + 1 });
  return { target: task.target, total_count: total, items_count: items.length, items };
}
