import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/server.js';
import { callSandbox, startSandbox } from '../helpers/sandbox.js';

let running: Sandbox[] = [];
async function start(options: SandboxOptions = {}) {
  const s = await startSandbox(options);
  running.push(s.sandbox);
  return s;
}
afterEach(async () => {
  await Promise.all(running.map((s) => s.close()));
  running = [];
});

describe('limits', () => {
  it('answers the 31st simultaneous call with 40209 (DataForSEO: in a 200 envelope)', async () => {
    const { sandbox, url } = await start({ faults: { latencyMs: 300 } });
    const answers = await Promise.all(Array.from({ length: 31 }, (_, i) => callSandbox(url, 'summary', { target: `site${i}.com` })));
    const codes = answers.map((a) => a.body.status_code);
    expect(codes.filter((c) => c === 40209)).toHaveLength(1);
    expect(codes.filter((c) => c === 20000)).toHaveLength(30);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(sandbox.stats()).toMatchObject({ calls: 30, maxInFlight: 30, rejectedConcurrency: 1 });
  });

  it('answers calls past the per-minute limit with 40202 until the window moves on', async () => {
    let now = 1_000_000;
    const { sandbox, url } = await start({ maxPerMinute: 5, now: () => now });
    const first = await Promise.all(Array.from({ length: 6 }, () => callSandbox(url, 'summary', { target: 'a.com' })));
    expect(first.map((a) => a.body.status_code).sort()).toEqual([20000, 20000, 20000, 20000, 20000, 40202]);
    now += 59_000;
    expect((await callSandbox(url, 'summary', { target: 'a.com' })).body.status_code).toBe(40202);
    now += 2_000;
    expect((await callSandbox(url, 'summary', { target: 'a.com' })).body.status_code).toBe(20000);
    expect(sandbox.stats()).toMatchObject({ calls: 6, maxPerMinute: 5, rejectedPerMinute: 2 });
  });

  it('speaks HTTP 429 with Retry-After on the AIsa wire', async () => {
    const { url } = await start({ maxPerMinute: 1 });
    await callSandbox(url, 'summary', { target: 'a.com' }, 'aisa');
    const limited = await callSandbox(url, 'summary', { target: 'a.com' }, 'aisa');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body.error).toMatchObject({ type: 'rate_limit_error', code: 40202 });
  });
});

describe('authentication', () => {
  it('refuses a call without Basic credentials with HTTP 401 and 40100', async () => {
    const { url } = await start();
    const answer = await callSandbox(url, 'summary', { target: 'a.com' }, 'dataforseo', '');
    expect(answer.status).toBe(401);
    expect(answer.body.status_code).toBe(40100);
  });

  it('refuses wrong credentials when they are configured', async () => {
    const { url } = await start({ credentials: { login: 'me', password: 'right' } });
    const wrong = await callSandbox(
      url,
      'summary',
      { target: 'a.com' },
      'dataforseo',
      `Basic ${Buffer.from('me:wrong').toString('base64')}`,
    );
    expect(wrong.status).toBe(401);
    const right = await callSandbox(
      url,
      'summary',
      { target: 'a.com' },
      'dataforseo',
      `Basic ${Buffer.from('me:right').toString('base64')}`,
    );
    expect(right.body.status_code).toBe(20000);
  });

  it('refuses a missing Bearer key on the AIsa wire with an error object', async () => {
    const { url } = await start();
    const answer = await callSandbox(url, 'summary', { target: 'a.com' }, 'aisa', '');
    expect(answer.status).toBe(401);
    expect(answer.body.error).toMatchObject({ type: 'authentication_error' });
  });
});

describe('one task per call, billed like the upstream', () => {
  it('processes only the first task; the others get 40000 and cost nothing', async () => {
    const { sandbox, url } = await start();
    const { body } = await callSandbox(url, 'referring_domains', [{ target: 'a.com', limit: 5 }, { target: 'b.com' }, { target: 'c.com' }]);
    expect(body.tasks.map((t: any) => t.status_code)).toEqual([20000, 40000, 40000]);
    expect(body.tasks_error).toBe(2);
    expect(body.cost).toBeCloseTo(0.02 + 5 * 0.00003, 10);
    expect(sandbox.stats().billedUsd).toBeCloseTo(body.cost, 10);
  });

  it('bills $0.02 per call plus $0.00003 per row', async () => {
    const { url } = await start();
    const page = await callSandbox(url, 'referring_domains', { target: 'ahrefs.com', limit: 100 });
    expect(page.body.tasks[0].result[0].items_count).toBe(100);
    expect(page.body.cost).toBe(0.023);
    expect((await callSandbox(url, 'summary', { target: 'a.com' })).body.cost).toBe(0.02003);
  });

  it('says in its version that the data is synthetic', async () => {
    const { url } = await start();
    expect((await callSandbox(url, 'summary', { target: 'a.com' })).body.version).toMatch(/synthetic/);
  });
});

describe('fault injection', () => {
  it.each([
    ['50000', (a: any) => a.body.tasks[0].status_code === 50000],
    ['50401', (a: any) => a.body.tasks[0].status_code === 50401],
    ['http500', (a: any) => a.status === 500],
  ] as const)('injects %s', async (kind, check) => {
    const { sandbox, url } = await start({ faults: { errorRate: 1, errorKinds: [kind] } });
    expect(check(await callSandbox(url, 'summary', { target: 'a.com' }))).toBe(true);
    expect(sandbox.stats().faultsInjected).toBe(1);
  });

  it('injects connection resets', async () => {
    const { url } = await start({ faults: { errorRate: 1, errorKinds: ['reset'] } });
    await expect(callSandbox(url, 'summary', { target: 'a.com' })).rejects.toThrow();
  });

  it('injects a rate of transient errors, replayable by seed', async () => {
    const run = async () => {
      const { url } = await start({ faults: { errorRate: 0.3, errorKinds: ['50000'], seed: 42 } });
      const answers = [];
      for (let i = 0; i < 100; i++) answers.push((await callSandbox(url, 'summary', { target: 'a.com' })).body.tasks[0].status_code);
      return answers;
    };
    const a = await run();
    const failures = a.filter((c) => c === 50000).length;
    expect(failures).toBeGreaterThan(15);
    expect(failures).toBeLessThan(45);
    expect(await run()).toEqual(a);
  });

  it('answers a chosen code for a chosen target, and can change faults at run time', async () => {
    const { sandbox, url } = await start({ faults: { targetCodes: { 'broken.com': 40501 } } });
    expect((await callSandbox(url, 'summary', { target: 'www.Broken.com' })).body.tasks[0].status_code).toBe(40501);
    expect((await callSandbox(url, 'summary', { target: 'fine.com' })).body.tasks[0].status_code).toBe(20000);
    sandbox.setFaults({});
    expect((await callSandbox(url, 'summary', { target: 'broken.com' })).body.tasks[0].status_code).toBe(20000);
  });

  it('adds latency', async () => {
    const { url } = await start({ faults: { latencyMs: { min: 120, max: 150 } } });
    const started = performance.now();
    await callSandbox(url, 'summary', { target: 'a.com' });
    // A lower bound only: latency is injected, this is not a performance assertion.
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
  });
});

it('gives identical bytes in two fresh processes', async () => {
  const run = promisify(execFile);
  const probe = new URL('../helpers/determinism-probe.ts', import.meta.url).pathname;
  const [a, b] = await Promise.all([1, 2].map(() => run(process.execPath, ['--import', 'tsx', probe], { cwd: process.cwd() })));
  expect(a?.stdout).toMatch(/^[0-9a-f]{64}$/);
  expect(b?.stdout).toBe(a?.stdout);
});
