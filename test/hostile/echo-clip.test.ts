import { describe, expect, it } from 'vitest';
import { useMockUpstreamApp } from '../helpers/app.js';

/**
 * Error messages quote what the client sent (graphql-js quotes values and names whole): a long one comes back
 * clipped — enough to recognise, never the client's 90 KB twice. The strict double fails on any call.
 */
const env = useMockUpstreamApp();
const LONG = 'x'.repeat(90_000);

describe('long client text in errors', () => {
  it('a 90 KB variable value for a DateTime', async () => {
    const { text, body } = await env.app.execute(
      'query($d: DateTime) { target(target: "a.com") { referringDomains(filter: { firstSeen: { after: $d } }) { totalCount } } }',
      { d: LONG },
    );
    expect(body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(text.length).toBeLessThan(3_000);
  });

  it('a 90 KB field name', async () => {
    const { text, body } = await env.app.execute(`{ ${'f'.repeat(90_000)} }`);
    expect(body.errors?.[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(text.length).toBeLessThan(3_000);
  });

  it('a 50 KB target argument, in the message and in extensions.value', async () => {
    const { text, body } = await env.app.execute('query($t: String!) { target(target: $t) { rank } }', {
      t: `<img src=x> ${LONG.slice(0, 50_000)}.com`,
    });
    expect(body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(String(body.errors?.[0]?.extensions.value).length).toBeLessThan(300);
    expect(text.length).toBeLessThan(3_000);
  });
});
