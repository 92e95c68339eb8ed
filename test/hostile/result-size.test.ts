import { describe, expect, it } from 'vitest';
import { SECURITY_DEFAULTS } from '../../src/ops/config.js';
import { useMockUpstreamApp } from '../helpers/app.js';

/**
 * One cached page serialised a hundred times under aliases: the hostile review's 2.5 KB request answered 83 MB and
 * held the process at 1.3 GB for one upstream call (none once cached). The estimate bounds the response's values
 * before execution; over MAX_RESULT_VALUES the operation is refused, for free (the strict double fails on any call).
 */
const env = useMockUpstreamApp();
const fields =
  'domain rank backlinkCount spamScore firstSeen referringDomainCount breakdown { tlds { key count } countries { key count } }';

describe('the response-size bound', () => {
  it('refuses 95 aliases of a 1000-item page with its breakdowns, before any call', async () => {
    const aliases = Array.from({ length: 95 }, (_, i) => `a${i}: nodes { ...F }`).join(' ');
    const query = `{ target(target: "ahrefs.com", options: { breakdownLimit: 1000 }) { referringDomains(first: 1000) { ${aliases} } } } fragment F on ReferringDomain { ${fields} }`;
    expect(query.length).toBeLessThan(2500);
    const { status, body } = await env.app.execute(query);
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'RESULT_TOO_LARGE', maxResultValues: SECURITY_DEFAULTS.maxResultValues });
    expect(body.errors?.[0]?.extensions.estimatedResultValues).toBeGreaterThan(SECURITY_DEFAULTS.maxResultValues);
    expect(body.data).toBeUndefined();
  });

  it('counts breakdown lists by breakdownLimit: the same page with the default 10 entries is within the bound', async () => {
    const { body } = await env.app.execute(
      `{ target(target: "ahrefs.com") { referringDomains(first: 1000) { nodes { ${fields} } } } }`,
      undefined,
      {
        'x-dry-run': 'true',
      },
    );
    expect(body.errors).toBeUndefined();
    expect(body.extensions.cost.estimatedUpstreamCalls).toBe(1);
  });

  it('the same field selected twice under one response key is one value, not two (execution merges them)', async () => {
    const levels = Array.from({ length: 22 }, (_, i) => `fragment F${i} on Target { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const { body } = await env.app.execute(`{ target(target: "a.com") { ...F0 } } ${levels} fragment F22 on Target { target id }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.target.target).toBe('a.com');
  });
});
