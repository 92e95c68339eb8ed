import autocannon from 'autocannon';
import { Pool } from 'undici';
import { createBacklinksClient } from '../src/dataforseo/client.js';
import { createDataForSeoProvider } from '../src/dataforseo/providers.js';

/**
 * The load generator, run as its own process by bench/run.ts so that load never shares the measured process.
 * Modes (argv[2] is a JSON job, the result is one JSON line on stdout):
 * - latency: `count` sequential GraphQL requests, each timed with performance.now() (sub-millisecond);
 * - direct: the same upstream calls made directly with the project's client (the floor of added latency);
 * - throughput: autocannon at `connections` for `seconds`;
 * - mix: `count` requests (or as many as fit in `seconds`), request i sent to `urls[i % urls.length]` with
 *   `bodies[i % bodies.length]`, at most `connections` in flight across all the urls; sums the answers'
 *   `extensions.cost` and counts their error codes. Written here rather than with autocannon because autocannon drives
 *   one url per instance with one body, and this mode spreads a mix of bodies over several replicas in one order.
 */

interface Job {
  mode: 'latency' | 'direct' | 'throughput' | 'mix';
  url: string;
  /** For mix: the servers (replicas) the requests are spread over, round-robin, and the bodies they cycle through. */
  urls?: string[];
  bodies?: string[];
  body?: string;
  count?: number;
  /** For latency: requests sent first and not timed. */
  warmup?: number;
  connections?: number;
  seconds?: number;
  /** For direct: the calls, in stages run one after another; each stage's calls run concurrently. */
  stages?: { endpoint: keyof typeof ENDPOINTS; task: object }[][];
}

/** The client's method for each endpoint a stage may call. */
const ENDPOINTS = {
  summary: 'summary',
  referring_domains: 'referringDomains',
  domain_intersection: 'domainIntersection',
  bulk_ranks: 'bulkRanks',
  bulk_backlinks: 'bulkBacklinks',
  bulk_spam_score: 'bulkSpamScore',
  bulk_referring_domains: 'bulkReferringDomains',
} as const;

const job = JSON.parse(process.argv[2] ?? '{}') as Job;

function summarise(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return { count: sorted.length, p50: at(50), p99: at(99), mean: sorted.reduce((t, x) => t + x, 0) / sorted.length };
}

async function latency(): Promise<unknown> {
  const origin = new URL(job.url);
  const pool = new Pool(origin.origin, { connections: 1 });
  const samples: number[] = [];
  try {
    const warmup = job.warmup ?? 0;
    for (let i = 0; i < warmup + (job.count ?? 100); i++) {
      const started = performance.now();
      const response = await pool.request({
        path: origin.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: job.body ?? '',
      });
      const text = await response.body.text();
      if (i >= warmup) samples.push(performance.now() - started);
      if (response.statusCode !== 200 || text.includes('"errors"')) throw new Error(`failed: ${response.statusCode} ${text.slice(0, 300)}`);
    }
  } finally {
    await pool.close();
  }
  return summarise(samples);
}

async function direct(): Promise<unknown> {
  const pool = new Pool(job.url, { connections: 64 });
  const client = createBacklinksClient({
    provider: createDataForSeoProvider({ baseUrl: job.url, login: 'bench', password: 'bench' }),
    dispatcher: pool,
  });
  const samples: number[] = [];
  try {
    for (let i = 0; i < (job.count ?? 100); i++) {
      const started = performance.now();
      for (const stage of job.stages ?? [])
        await Promise.all(stage.map((c) => (client[ENDPOINTS[c.endpoint]] as (t: object) => Promise<unknown>)(c.task)));
      samples.push(performance.now() - started);
    }
  } finally {
    await pool.close();
  }
  return summarise(samples);
}

async function throughput(): Promise<unknown> {
  const result = await autocannon({
    url: job.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: job.body ?? '',
    connections: job.connections ?? 1,
    duration: job.seconds ?? 5,
  });
  return {
    rps: result.requests.average,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

interface Answer {
  errors?: { extensions?: { code?: string } }[];
  extensions?: { cost?: { upstreamCalls?: number; cacheHits?: number; coalesced?: number } };
}

async function mix(): Promise<unknown> {
  const urls = job.urls ?? [job.url];
  const bodies = job.bodies ?? [job.body ?? ''];
  const connections = job.connections ?? 1;
  const pools = urls.map((u) => new Pool(new URL(u).origin, { connections: Math.ceil(connections / urls.length) }));
  const total = { upstreamCalls: 0, cacheHits: 0, coalesced: 0 };
  const codes: Record<string, number> = {};
  const samples: number[] = [];
  let non2xx = 0;
  let next = 0;
  const started = performance.now();
  const deadline = job.seconds ? started + job.seconds * 1000 : Infinity;
  const more = () => (job.count !== undefined ? next < job.count : performance.now() < deadline);
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (more()) {
          const i = next++;
          const url = new URL(urls[i % urls.length] ?? '');
          const t = performance.now();
          const response = await (pools[i % urls.length] as Pool).request({
            path: url.pathname,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: bodies[i % bodies.length] ?? '',
          });
          const answer = (await response.body.json()) as Answer;
          samples.push(performance.now() - t);
          if (response.statusCode !== 200) non2xx += 1;
          for (const e of answer.errors ?? []) codes[e.extensions?.code ?? 'none'] = (codes[e.extensions?.code ?? 'none'] ?? 0) + 1;
          const cost = answer.extensions?.cost;
          total.upstreamCalls += cost?.upstreamCalls ?? 0;
          total.cacheHits += cost?.cacheHits ?? 0;
          total.coalesced += cost?.coalesced ?? 0;
        }
      }),
    );
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
  const seconds = (performance.now() - started) / 1000;
  return { ...summarise(samples), seconds, rps: samples.length / seconds, non2xx, codes, ...total };
}

const run = { latency, direct, throughput, mix }[job.mode];
process.stdout.write(`${JSON.stringify(await run())}\n`);
