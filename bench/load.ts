import autocannon from 'autocannon';
import { Pool } from 'undici';
import { createBacklinksClient } from '../src/dataforseo/client.js';
import { createDataForSeoProvider } from '../src/dataforseo/providers.js';

/**
 * The load generator, run as its own process by bench/run.ts so that load never shares the measured process.
 * Modes (argv[2] is a JSON job, the result is one JSON line on stdout):
 * - latency: `count` sequential GraphQL requests, each timed with performance.now() (sub-millisecond);
 * - direct: the same upstream calls made directly with the project's client (the floor of added latency);
 * - throughput: autocannon at `connections` for `seconds`.
 */

interface Job {
  mode: 'latency' | 'direct' | 'throughput';
  url: string;
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

const run = { latency, direct, throughput }[job.mode];
process.stdout.write(`${JSON.stringify(await run())}\n`);
