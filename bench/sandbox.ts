import { spawn } from 'node:child_process';
import { Pool } from 'undici';

/**
 * How fast the embedded sandbox answers referring_domains pages of 100 and 1000 items,
 * from its own process, over loopback, at 1 and 16 connections, served from its caches (the same request again)
 * and computed afresh (a distinct backlinks filter each time defeats the caches). Writes bench/sandbox-results.md.
 * The sandbox must never be the bottleneck of the server's own benchmarks: bench/run.ts puts these figures beside
 * theirs in BENCHMARKS.md.
 */

async function startSandbox(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/sandbox/main.ts', '--port', '0', '--max-concurrency', '10000', '--max-per-minute', '10000000'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /at (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

interface Scenario {
  name: string;
  task: (i: number) => object;
}

const BIG = 'deltagroveblog.com';
const SCENARIOS: Scenario[] = [
  { name: '100 items, cached', task: () => ({ target: BIG, limit: 100 }) },
  { name: '1000 items, cached', task: () => ({ target: BIG, limit: 1000 }) },
  { name: '100 items, computed', task: (i) => ({ target: BIG, limit: 100, backlinks_filters: ['domain_from_rank', '>', -1 - i] }) },
  { name: '1000 items, computed', task: (i) => ({ target: BIG, limit: 1000, backlinks_filters: ['domain_from_rank', '>', -1 - i] }) },
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Counts tasks across runs, so a "computed" task is never one the sandbox has answered before. */
let taskCounter = 0;

async function run(pool: Pool, scenario: Scenario, connections: number, durationMs: number) {
  const auth = `Basic ${Buffer.from('bench:bench').toString('base64')}`;
  const latencies: number[] = [];
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const body = JSON.stringify([scenario.task(taskCounter++)]);
        const t = performance.now();
        const res = await pool.request({
          path: '/v3/backlinks/referring_domains/live',
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body,
        });
        const text = await res.body.text();
        latencies.push(performance.now() - t);
        if (!text.includes('"status_code":20000')) throw new Error(`failed: ${text.slice(0, 200)}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), rps: latencies.length / seconds };
}

/** Runs the sandbox benchmark; returns the Markdown table rows. */
export async function benchSandbox(options: { quick: boolean }): Promise<{ rows: string[]; secondsPerRow: number }> {
  const durationMs = options.quick ? 300 : 3000;
  const { url, stop } = await startSandbox();
  const pool = new Pool(url, { connections: 16 });
  const rows: string[] = [];
  try {
    for (const s of SCENARIOS) await run(pool, s, 1, durationMs); // warm-up: JIT and, for the cached scenarios, the caches
    for (const connections of [1, 16]) {
      for (const scenario of SCENARIOS) {
        const r = await run(pool, scenario, connections, durationMs);
        rows.push(
          `| ${scenario.name} | ${connections} | ${r.requests} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.rps.toFixed(0)} |`,
        );
      }
    }
  } finally {
    await pool.close();
    stop();
  }
  return { rows, secondsPerRow: durationMs / 1000 };
}
