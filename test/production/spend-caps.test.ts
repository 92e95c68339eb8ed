import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { startSandbox } from '../helpers/sandbox.js';
import type { Sandbox } from '../../src/sandbox/server.js';

/**
 * Per-key daily spend caps, in the default ledger (this process's memory), proved at the sandbox: what it billed is
 * what the ledger holds, and a refusal leaves its call counter where it was.
 */
const ACME = 'spend-key-acme-0123456789';
const OTHER = 'spend-key-other-0123456789';
const ROTATED = 'spend-key-acme-rotated-0123';
const CROWD = 'spend-key-crowd-0123456789';
const PAGES = 'spend-key-pages-0123456789';
const FREE = 'spend-key-free-0123456789';
const OPEN = 'spend-key-uncapped-0123456789';
const CAP_USD = 0.1;

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const SPEND = '{ spend { keyName spentUsd heldUsd capUsd remainingUsd resetAt } }';

let sandbox: Sandbox;
let url: string;
let app: ReturnType<typeof createTestApp>;

beforeAll(async () => {
  ({ sandbox, url } = await startSandbox({ maxConcurrency: 10_000, maxPerMinute: 10_000_000 }));
  app = createTestApp(url, 'dataforseo', {
    sandbox: true,
    security: {
      apiKeys: [
        { key: ACME, name: 'acme', dailyCapUsd: CAP_USD },
        { key: ROTATED, name: 'acme', dailyCapUsd: CAP_USD },
        { key: OTHER, name: 'other', dailyCapUsd: CAP_USD },
        { key: CROWD, name: 'crowd', dailyCapUsd: CAP_USD },
        { key: PAGES, name: 'pages', dailyCapUsd: CAP_USD },
        { key: FREE, name: 'free', dailyCapUsd: 0.03 },
        { key: OPEN, name: 'open' },
      ],
    },
  });
});
afterAll(async () => {
  await app.close();
  await sandbox.close();
});

async function spendOf(key: string) {
  const { body } = await app.execute(SPEND, undefined, bearer(key));
  expect(body.errors).toBeUndefined();
  return body.data.spend as { keyName: string; spentUsd: number; heldUsd: number; capUsd: number | null; remainingUsd: number | null };
}

/** Runs operations of `key` one after another until one is refused; returns what was answered and the refusal. */
async function spendUntilRefused(key: string, query: (i: number) => string) {
  const answered: { remainingBefore: number; spend: { remainingUsd: number } }[] = [];
  let remaining = CAP_USD;
  for (let i = 0; i < 50; i++) {
    const calls = sandbox.stats().calls;
    const { status, body } = await app.execute(query(i), undefined, bearer(key));
    const code = body.errors?.[0]?.extensions.code;
    if (code === 'BUDGET_EXCEEDED') {
      // Refused before any call.
      expect(sandbox.stats().calls).toBe(calls);
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      return { answered, refusal: body.errors?.[0]?.extensions, remainingBefore: remaining, text: JSON.stringify(body) };
    }
    expect(body.errors).toBeUndefined();
    expect(sandbox.stats().calls).toBe(calls + 1);
    answered.push({ remainingBefore: remaining, spend: body.extensions.cost.spend });
    remaining = body.extensions.cost.spend.remainingUsd;
  }
  throw new Error('never refused');
}

describe('a key with a $0.10 daily cap', () => {
  it('is answered until its ledger reaches the cap, then refused before any call, with the figures; the ledger is what the sandbox billed', async () => {
    const billed = sandbox.stats().billedUsd;
    // One call each: summaries ($0.02003) and pages of 50 referring domains ($0.02 + rows).
    const { answered, refusal, remainingBefore, text } = await spendUntilRefused(ACME, (i) =>
      i % 2
        ? `{ target(target: "cap-${i}.example") { rank } }`
        : `{ target(target: "cap-${i}.example") { referringDomains(first: 50) { totalCount } } }`,
    );
    const spent = sandbox.stats().billedUsd - billed;
    expect(answered.length).toBeGreaterThanOrEqual(4);
    // Each operation ran while its calls fitted in what was left, and the refusal came only when they no longer did.
    for (const a of answered) expect(a.remainingBefore).toBeGreaterThanOrEqual(0.02);
    expect(remainingBefore).toBeLessThan(0.02);
    expect(refusal).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      keyName: 'acme',
      estimatedUpstreamCalls: 1,
      estimatedUsd: 0.02,
      capUsd: CAP_USD,
      heldUsd: 0,
    });
    expect(refusal.spentUsd).toBeCloseTo(spent, 9);
    expect(refusal.remainingUsd).toBeCloseTo(CAP_USD - spent, 9);
    expect(refusal.resetAt).toBe(new Date(Date.parse(new Date().toISOString().slice(0, 10)) + 86_400_000).toISOString());
    expect(spent).toBeLessThanOrEqual(CAP_USD);
    expect(text).not.toContain(ACME);

    const figures = await spendOf(ACME);
    expect(Math.abs(figures.spentUsd - spent)).toBeLessThanOrEqual(1e-9);
    expect(figures).toMatchObject({ keyName: 'acme', heldUsd: 0, capUsd: CAP_USD });
  });

  it('still answers what costs nothing: the spend field (under aliases and fragments) and dry runs, charging nothing', async () => {
    const calls = sandbox.stats().calls;
    const before = await spendOf(ACME);
    const { body } = await app.execute(
      '{ a: spend { remainingUsd } b: spend { ...F } ... on Query { c: spend { spentUsd remainingUsd } } } fragment F on Spend { spentUsd remainingUsd capUsd }',
      undefined,
      bearer(ACME),
    );
    expect(body.errors).toBeUndefined();
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 0, estimatedUpstreamCalls: 0 });
    expect(body.data.a.remainingUsd).toBe(before.remainingUsd);
    expect(body.data.b).toEqual({ spentUsd: before.spentUsd, remainingUsd: before.remainingUsd, capUsd: CAP_USD });
    expect(body.data.c).toEqual({ spentUsd: before.spentUsd, remainingUsd: before.remainingUsd });

    const dry = await app.execute('{ target(target: "dry-run.example") { rank } }', undefined, { ...bearer(ACME), 'x-dry-run': 'true' });
    expect(dry.body.extensions.dryRun).toBe(true);
    expect(dry.body.extensions.cost.estimatedUpstreamCalls).toBe(1);
    expect(dry.body.extensions.cost.spend).toMatchObject({ spentUsd: before.spentUsd, remainingUsd: before.remainingUsd });
    expect(sandbox.stats().calls).toBe(calls);
    expect(await spendOf(ACME)).toEqual(before);
  });

  it('a dry run of a key with money left holds and charges nothing', async () => {
    const calls = sandbox.stats().calls;
    const before = await spendOf(OTHER);
    for (let i = 0; i < 10; i++) {
      const { body } = await app.execute(`{ target(target: "dry-${i}.example") { rank } }`, undefined, {
        ...bearer(OTHER),
        'x-dry-run': 'true',
      });
      expect(body.extensions.cost.spend.heldUsd).toBe(0);
    }
    expect(sandbox.stats().calls).toBe(calls);
    expect(await spendOf(OTHER)).toEqual(before);
  });
});

describe('concurrent operations of one key', () => {
  it('20 at once cannot together pass the cap, even when each answer is 1000 rows', async () => {
    const calls = sandbox.stats().calls;
    const billed = sandbox.stats().billedUsd;
    // Twenty distinct pages (a different size each, so no two coalesce) of ahrefs.com's 1445 referring domains:
    // about $0.05 each, so five would cost $0.25 if only their calls ($0.02 each) were held.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        app.execute(`{ target(target: "ahrefs.com") { referringDomains(first: ${1000 - i}) { totalCount } } }`, undefined, bearer(PAGES)),
      ),
    );
    const answered = results.filter((r) => r.body.errors === undefined);
    const refused = results.filter((r) => r.body.errors?.[0]?.extensions.code === 'BUDGET_EXCEEDED');
    expect(answered.length + refused.length).toBe(20);
    // Each holds $0.05 (its call and 1000 rows): two fit, and what they do not spend of it is less than a call.
    expect(answered.length).toBe(2);
    expect(sandbox.stats().calls - calls).toBe(answered.length);
    const spent = sandbox.stats().billedUsd - billed;
    expect(spent).toBeGreaterThan(0.04 * answered.length);
    expect(spent).toBeLessThanOrEqual(CAP_USD);
    const figures = await spendOf(PAGES);
    expect(Math.abs(figures.spentUsd - spent)).toBeLessThanOrEqual(1e-9);
    expect(figures.heldUsd).toBe(0);
  });

  it('20 summaries at once cannot pass the cap; one after another, the key then spends up to it', async () => {
    const calls = sandbox.stats().calls;
    const billed = sandbox.stats().billedUsd;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => app.execute(`{ target(target: "crowd-${i}.example") { rank } }`, undefined, bearer(CROWD))),
    );
    const answered = results.filter((r) => r.body.errors === undefined).length;
    expect(answered).toBeGreaterThanOrEqual(1);
    expect(results.every((r) => r.body.errors === undefined || r.body.errors[0].extensions.code === 'BUDGET_EXCEEDED')).toBe(true);
    expect(sandbox.stats().calls - calls).toBe(answered);
    expect(sandbox.stats().billedUsd - billed).toBeLessThanOrEqual(CAP_USD);

    const { remainingBefore } = await spendUntilRefused(CROWD, (i) => `{ target(target: "crowd-after-${i}.example") { rank } }`);
    const spent = sandbox.stats().billedUsd - billed;
    expect(remainingBefore).toBeLessThan(0.02);
    expect(spent).toBeLessThanOrEqual(CAP_USD);
    expect(Math.abs((await spendOf(CROWD)).spentUsd - spent)).toBeLessThanOrEqual(1e-9);
  });
});

describe('hostile: which key pays', () => {
  it('the same key in every form the gate accepts charges one ledger; a variant of it is no key and costs nothing', async () => {
    const before = (await spendOf(OTHER)).spentUsd;
    const billed = sandbox.stats().billedUsd;
    const forms = [
      bearer(OTHER),
      { 'x-api-key': OTHER },
      { authorization: `Basic ${Buffer.from(`graphiql:${OTHER}`).toString('base64')}` },
    ];
    for (const [i, headers] of forms.entries()) {
      const { body } = await app.execute(`{ target(target: "form-${i}.example") { rank } }`, undefined, headers);
      expect(body.extensions.cost.spend.keyName).toBe('other');
    }
    expect((await spendOf(OTHER)).spentUsd - before).toBeCloseTo(sandbox.stats().billedUsd - billed, 9);

    const calls = sandbox.stats().calls;
    for (const variant of [OTHER.toUpperCase(), `${OTHER}x`, OTHER.slice(1), `${OTHER}\u200b`]) {
      const { status, body } = await app.execute('{ target(target: "variant.example") { rank } }', undefined, bearer(variant));
      expect(status).toBe(401);
      expect(body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    }
    const missing = await app.execute('{ target(target: "variant.example") { rank } }');
    expect(missing.status).toBe(401);
    expect(sandbox.stats().calls).toBe(calls);
  });

  it('keys sharing a name share one ledger (a rotated key does not start again); another key has its own', async () => {
    const acme = await spendOf(ACME);
    const rotated = await spendOf(ROTATED);
    expect(rotated).toEqual(acme);
    const calls = sandbox.stats().calls;
    const { body } = await app.execute('{ target(target: "rotated.example") { rank } }', undefined, bearer(ROTATED));
    expect(body.errors?.[0]?.extensions.code).toBe('BUDGET_EXCEEDED');
    expect(sandbox.stats().calls).toBe(calls);
    // acme is out of money; "other" is not.
    const other = await app.execute('{ target(target: "other-key.example") { rank } }', undefined, bearer(OTHER));
    expect(other.body.errors).toBeUndefined();
    expect(sandbox.stats().calls).toBe(calls + 1);
  });

  it('a cap below one call answers only what is free', async () => {
    await spendUntilRefused(FREE, (i) => `{ target(target: "free-${i}.example") { rank } }`);
    const calls = sandbox.stats().calls;
    const { body } = await app.execute('{ spend { remainingUsd } target(target: "free-x.example") { target } }', undefined, bearer(FREE));
    expect(body.errors).toBeUndefined();
    expect(body.data.target.target).toBe('free-x.example');
    expect(body.data.spend.remainingUsd).toBeLessThan(0.02);
    expect(sandbox.stats().calls).toBe(calls);
  });

  it('an uncapped key is counted and never refused', async () => {
    const billed = sandbox.stats().billedUsd;
    for (let i = 0; i < 8; i++) {
      const { body } = await app.execute(`{ target(target: "open-${i}.example") { rank } }`, undefined, bearer(OPEN));
      expect(body.errors).toBeUndefined();
      expect(body.extensions.cost.spend).toMatchObject({ keyName: 'open', capUsd: null, remainingUsd: null });
    }
    const figures = await spendOf(OPEN);
    expect(figures).toMatchObject({ capUsd: null, remainingUsd: null, heldUsd: 0 });
    expect(Math.abs(figures.spentUsd - (sandbox.stats().billedUsd - billed))).toBeLessThanOrEqual(1e-9);
  });
});

describe('retries and calls that outlive their operation are charged as billed', () => {
  let flaky: Awaited<ReturnType<typeof startSandbox>>;
  let flakyApp: ReturnType<typeof createTestApp>;
  beforeAll(async () => {
    // Failures answered before anything is billed, as the upstream does for failed tasks.
    flaky = await startSandbox({ faults: { errorRate: 0.4, errorKinds: ['50000', 'http500'], seed: 7, latencyMs: 5 } });
    flakyApp = createTestApp(flaky.url, 'dataforseo', {
      sandbox: true,
      retry: { retries: 8 },
      breaker: { volume: 10_000 },
      security: { apiKeys: [{ key: ACME, name: 'flaky', dailyCapUsd: 1 }] },
    });
  });
  afterAll(async () => {
    await flakyApp.close();
    await flaky.sandbox.close();
  });

  it('retries: the ledger holds what the sandbox billed, not what was attempted', async () => {
    let retries = 0;
    for (let i = 0; i < 12; i++) {
      const { body } = await flakyApp.execute(`{ target(target: "retry-${i}.example") { rank } }`, undefined, bearer(ACME));
      retries += body.extensions.cost.retries;
    }
    expect(retries).toBeGreaterThan(0);
    expect(flaky.sandbox.stats().faultsInjected).toBeGreaterThan(0);
    const { body } = await flakyApp.execute(SPEND, undefined, bearer(ACME));
    expect(Math.abs(body.data.spend.spentUsd - flaky.sandbox.stats().billedUsd)).toBeLessThanOrEqual(1e-9);
  });

  it('a call another request joined is charged to the key that started it, even when that request went away', async () => {
    flaky.sandbox.setFaults({ latencyMs: 300 });
    const billed = flaky.sandbox.stats().billedUsd;
    const before = (await flakyApp.execute(SPEND, undefined, bearer(ACME))).body.data.spend.spentUsd;
    const query = '{ target(target: "outlives.example") { rank } }';
    const controller = new AbortController();
    const first = Promise.resolve(
      flakyApp.yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...bearer(ACME) },
        body: JSON.stringify({ query }),
        signal: controller.signal,
      }),
    )
      .then((r) => r.text())
      .catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 100));
    const second = flakyApp.execute(query, undefined, bearer(ACME));
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await first;
    const joined = await second;
    expect(joined.body.extensions.cost.coalesced).toBe(1);
    expect(flaky.sandbox.stats().calls).toBeGreaterThan(0);
    const spent = flaky.sandbox.stats().billedUsd - billed;
    expect(spent).toBeCloseTo(0.02003, 9);
    const after = (await flakyApp.execute(SPEND, undefined, bearer(ACME))).body.data.spend.spentUsd;
    expect(after - before).toBeCloseTo(spent, 9);
  });
  it('a call already on the wire when its client goes away runs to its answer and is charged as billed', async () => {
    flaky.sandbox.setFaults({ latencyMs: 300 });
    const billed = flaky.sandbox.stats().billedUsd;
    const before = (await flakyApp.execute(SPEND, undefined, bearer(ACME))).body.data.spend.spentUsd;
    const controller = new AbortController();
    const gone = Promise.resolve(
      flakyApp.yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...bearer(ACME) },
        body: JSON.stringify({ query: '{ target(target: "gone-mid-call.example") { rank } }' }),
        signal: controller.signal,
      }),
    )
      .then((r) => r.text())
      .catch(() => 'aborted');
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (let i = 0; flaky.sandbox.stats().inFlight === 0 && i < 300; i++) await sleep(5);
    expect(flaky.sandbox.stats().inFlight).toBe(1);
    controller.abort();
    await gone;
    for (let i = 0; flaky.sandbox.stats().inFlight > 0 && i < 300; i++) await sleep(5);
    await sleep(50);
    const spent = flaky.sandbox.stats().billedUsd - billed;
    expect(spent).toBeGreaterThan(0);
    const after = (await flakyApp.execute(SPEND, undefined, bearer(ACME))).body.data.spend;
    expect(after.spentUsd - before).toBeCloseTo(spent, 9);
    expect(after.heldUsd).toBe(0);
  });
});

describe('without API_KEYS', () => {
  it('there is no ledger: spend is null and responses carry no spend figures', async () => {
    const open = createTestApp(url, 'dataforseo', { sandbox: true });
    try {
      const { body } = await open.execute('{ spend { spentUsd } target(target: "keyless.example") { rank } }');
      expect(body.errors).toBeUndefined();
      expect(body.data.spend).toBeNull();
      expect(body.extensions.cost.spend).toBeUndefined();
    } finally {
      await open.close();
    }
  });
});
