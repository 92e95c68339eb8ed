import { parseArgs } from 'node:util';
import { createSandbox, type SandboxFaults } from './server.js';

/**
 * `npm run sandbox`: the embedded DataForSEO-compatible upstream alone, for other tools to use as a test double.
 * Options (flags or environment): --port/SANDBOX_PORT (default 4100), --host/SANDBOX_HOST (127.0.0.1),
 * --max-concurrency/SANDBOX_MAX_CONCURRENCY (30), --max-per-minute/SANDBOX_MAX_PER_MINUTE (2000),
 * --latency-ms/SANDBOX_LATENCY_MS ("300" or "300-900"), --error-rate/SANDBOX_ERROR_RATE (0–1).
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'max-concurrency': { type: 'string' },
    'max-per-minute': { type: 'string' },
    'latency-ms': { type: 'string' },
    'error-rate': { type: 'string' },
  },
});
const env = process.env;

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`sandbox: ${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    process.exit(2);
  }
  return n;
}

const faults: SandboxFaults = {};
const latency = values['latency-ms'] ?? env.SANDBOX_LATENCY_MS;
if (latency) {
  const m = /^(\d+)(?:-(\d+))?$/.exec(latency);
  if (!m) {
    console.error(`sandbox: latency must be "300" or "300-900" (ms), got "${latency}"`);
    process.exit(2);
  }
  faults.latencyMs = m[2] ? { min: Number(m[1]), max: Number(m[2]) } : Number(m[1]);
}
const errorRate = values['error-rate'] ?? env.SANDBOX_ERROR_RATE;
if (errorRate) {
  const rate = Number(errorRate);
  if (!(rate >= 0 && rate <= 1)) {
    console.error(`sandbox: error rate must be from 0 to 1, got "${errorRate}"`);
    process.exit(2);
  }
  faults.errorRate = rate;
}

const sandbox = createSandbox({
  maxConcurrency: integer('max concurrency', values['max-concurrency'] ?? env.SANDBOX_MAX_CONCURRENCY, 30, 1, 10_000),
  maxPerMinute: integer('max per minute', values['max-per-minute'] ?? env.SANDBOX_MAX_PER_MINUTE, 2000, 1, 10_000_000),
  faults,
});
const url = await sandbox.listen(
  integer('port', values.port ?? env.SANDBOX_PORT, 4100, 0, 65_535),
  values.host ?? env.SANDBOX_HOST ?? '127.0.0.1',
);
console.log(`DataForSEO-compatible sandbox (synthetic data) at ${url}`);
console.log(`  DataForSEO wire: POST ${url}/v3/backlinks/summary/live (Basic auth, any login)`);
console.log(`  AIsa wire:       POST ${url}/apis/v1/dataforseo/backlinks/summary/live (Bearer, any key)`);
console.log(`  counters:        GET  ${url}/_sandbox/stats`);
const stop = () => void sandbox.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
