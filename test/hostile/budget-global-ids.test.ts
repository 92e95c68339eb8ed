import { describe, expect, it } from 'vitest';
import { useMockUpstreamApp } from '../helpers/app.js';

/**
 * Crafted global IDs are decoded through the same validators as arguments: a target number out of range, targets
 * the arguments would refuse, or a malformed payload get null or BAD_USER_INPUT, and never reach the upstream (the
 * strict double fails on any call).
 */
const env = useMockUpstreamApp();
const gid = (typename: string, payload: unknown) => Buffer.from(`${typename}:${JSON.stringify(payload)}`).toString('base64');
const intersection = (number: unknown, targets: unknown = ['a.com', 'b.com']) =>
  gid('Intersection', [targets, [], 'all', {}, 'x.com', number]);

describe('crafted global IDs never reach the upstream', () => {
  it.each([
    ['a target number above the targets', intersection('3')],
    ['target number 0', intersection('0')],
    ['a negative target number', intersection('-1')],
    ['a target number that is a filter path', intersection('1.target')],
    ['a non-numeric target number', intersection('rank')],
    ['a padded target number', intersection('01')],
    ['a numeric (not string) target number', intersection(1)],
    [
      '21 targets',
      intersection(
        '1',
        Array.from({ length: 21 }, (_, i) => `t${i}.com`),
      ),
    ],
    ['one target', intersection('1', ['a.com'])],
    ['an invalid target', intersection('1', ['a.com', 'not a target'])],
    ['a ReferringDomain of an invalid target', gid('ReferringDomain', ['bad target', {}, 'x.com'])],
    ['a ReferringDomain with a bad domain', gid('ReferringDomain', ['a.com', {}, 'x .com'])],
    ['a ReferringDomain with bad options', gid('ReferringDomain', ['a.com', { internal_list_limit: 5000 }, 'x.com'])],
    ['a Target with bad options', gid('Target', ['a.com', { rank_scale: 'nope' }])],
    ['an unknown type', gid('Backlink', ['a.com'])],
    ['non-canonical base64', `${intersection('3')}\n`],
  ])('%s', async (_name, id) => {
    const before = env.upstream.calls.length;
    const { body } = await env.app.execute(
      'query($id: ID!) { node(id: $id) { id ... on Target { rank } ... on Intersection { domain links { rank } } } }',
      { id },
    );
    expect(env.upstream.calls.length - before).toBe(0);
    if (body.errors) expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    else expect(body.data.node).toBeNull();
    expect(body.extensions.cost.estimatedUpstreamCalls).toEqual(expect.any(Number));
  });

  it('the same IDs through nodes(ids:) cost nothing either', async () => {
    const before = env.upstream.calls.length;
    const { body } = await env.app.execute('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      ids: [intersection('3'), intersection('1.target'), intersection('0')],
    });
    expect(env.upstream.calls.length - before).toBe(0);
    if (!body.errors) expect(body.data.nodes).toEqual([null, null, null]);
    expect(body.extensions.cost.estimatedUpstreamCalls).toBe(0);
  });

  it('a malformed ID in nodes(ids:), a non-null field, refuses the operation before its siblings pay', async () => {
    // Execution would null `nodes` and so the whole `data`, after `domainIntersection` had made its call.
    const before = env.upstream.calls.length;
    const { body } = await env.app.execute('{ domainIntersection(targets: ["moz.com", "a.com"]) { totalCount } nodes(ids: ["x"]) { id } }');
    expect(env.upstream.calls.length - before).toBe(0);
    expect(body.data).toBeUndefined();
    expect(body.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', argument: 'id' } }]);
  });
});
