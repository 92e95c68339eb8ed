import { Agent } from 'undici';
import type { Plugin } from 'graphql-yoga';
import { createApp } from '../src/http/app.js';
import { createDataForSeoProvider } from '../src/dataforseo/providers.js';
import type { ExecutorName } from '../src/http/plugins/executor.js';
import { createUpstream } from '../src/upstream/index.js';
import type { UpstreamGateway } from '../src/upstream/gateway.js';

/**
 * In-process measurements, run by bench/run.ts as their own process with NODE_ENV=production (graphql-js then skips
 * its development checks, as the server does in production). argv[2] is a JSON job, the result one JSON line:
 * - `execution`: the 1000-item page's GraphQL execution + serialisation (`yoga.fetch` to the response text) with a
 *   gateway that parses the upstream payload on every request, as an uncached call does, vs the JSON floor:
 *   `JSON.parse` + `JSON.stringify` of the same payload;
 * - `share`: per operation, on an app whose cache was warmed by one request (the gateway built as the server builds
 *   it, over the sandbox): the in-process request time, the time inside execute, its share, and which executor ran.
 * Timed here, apart from HTTP, so that the figure is the layer's own CPU time and not loopback or the load process.
 */

interface Job {
  mode: 'execution' | 'share';
  sandboxUrl: string;
  iterations: number;
  /** For execution: the referring_domains task of the page (fetched once from the sandbox) and the operation. */
  task?: object;
  query?: string;
  /** For share: the operations. */
  ops?: { id: string; query: string }[];
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
if (process.env.NODE_ENV !== 'production') throw new Error('run with NODE_ENV=production, as the server runs');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const post = (body: string) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body });

/** Times execute: from the last onExecute hook (this plugin runs after the app's own) to the first onExecuteDone. */
function executeTimer(): { plugin: Plugin; last: () => number } {
  let ms = NaN;
  return {
    plugin: {
      onExecute() {
        const started = performance.now();
        return { onExecuteDone: () => void (ms = performance.now() - started) };
      },
    },
    last: () => ms,
  };
}

async function execution(): Promise<unknown> {
  const response = await fetch(`${job.sandboxUrl}/v3/backlinks/referring_domains/live`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('bench:bench').toString('base64')}` },
    body: JSON.stringify([job.task]),
  });
  const payload = await response.text();
  const gateway: UpstreamGateway = {
    call: async () => (JSON.parse(payload) as { tasks: { result: unknown[] }[] }).tasks[0]?.result[0] as never,
    callBulk: () => Promise.reject(new Error('this measurement selects no bulk field')),
    breakerState: () => 'closed',
  };
  const yoga = createApp({ gateway, logger: false, maxUpstreamCallsPerOperation: 10_000 });
  const body = JSON.stringify({ query: job.query });
  const gql: number[] = [];
  const floor: number[] = [];
  let bytesOut = 0;
  for (let i = 0; i < job.iterations + 5; i++) {
    let t = performance.now();
    const text = await (await yoga.fetch('http://bench/graphql', post(body))).text();
    const g = performance.now() - t;
    if (text.includes('"errors"')) throw new Error(`execution: ${text.slice(0, 300)}`);
    bytesOut = text.length;
    t = performance.now();
    JSON.stringify(JSON.parse(payload));
    const f = performance.now() - t;
    // The first runs compile (graphql-jit from the second execution) and warm V8: not counted.
    if (i >= 5) {
      gql.push(g);
      floor.push(f);
    }
  }
  return { gqlMs: median(gql), floorMs: median(floor), bytesIn: payload.length, bytesOut };
}

async function share(): Promise<unknown> {
  const dispatcher = new Agent({ connections: 64 });
  const { gateway } = createUpstream({
    provider: createDataForSeoProvider({ baseUrl: job.sandboxUrl, login: 'bench', password: 'bench' }),
    dispatcher,
    limits: { maxConcurrency: 1000, maxPerWindow: 10_000_000, windowMs: 60_000, queueTimeoutMs: 30_000, maxQueued: 100_000 },
    retry: { retries: 0, deadlineMs: 10_000, minDelayMs: 5, maxDelayMs: 50 },
    cache: { ttlMs: 3_600_000, maxMegabytes: 256 },
  });
  let executor: ExecutorName | undefined;
  const timer = executeTimer();
  const yoga = createApp({
    gateway,
    logger: false,
    maxUpstreamCallsPerOperation: 10_000,
    executor: { onExecutor: (name) => void (executor = name) },
    plugins: [timer.plugin],
  });
  const results: Record<string, { requestMs: number; executeMs: number; share: number; executor: string }> = {};
  for (const op of job.ops ?? []) {
    const body = JSON.stringify({ query: op.query });
    const request: number[] = [];
    const execute: number[] = [];
    for (let i = 0; i < job.iterations + 5; i++) {
      const t = performance.now();
      const text = await (await yoga.fetch('http://bench/graphql', post(body))).text();
      const ms = performance.now() - t;
      if (text.includes('"errors"')) throw new Error(`${op.id}: ${text.slice(0, 300)}`);
      // The first request fills the cache, the second compiles: what a frontend re-asking sees starts after.
      if (i >= 5) {
        request.push(ms);
        execute.push(timer.last());
      }
    }
    const requestMs = median(request);
    const executeMs = median(execute);
    results[op.id] = { requestMs, executeMs, share: executeMs / requestMs, executor: executor ?? 'none' };
  }
  await dispatcher.close();
  return results;
}

const run = { execution, share }[job.mode];
process.stdout.write(`${JSON.stringify(await run())}\n`);
