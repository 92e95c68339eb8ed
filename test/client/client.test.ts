import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { describe, expect, it } from 'vitest';
import { useSandboxApp } from '../helpers/sandbox.js';
import { LinkGapDocument, NodeByIdDocument, ProfileDocument, ProspectsDocument } from './generated/graphql.js';

/**
 * The typed client a codegen'd consumer has (GraphQL Code Generator's client preset, from test/client/documents),
 * run against the server. The assignments below are checked by the type checker in `npm test`: a schema change
 * that breaks these clients fails the build, not just this test.
 */

const env = useSandboxApp();

async function run<Result, Variables extends Record<string, unknown>>(
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
): Promise<Result> {
  const { body } = await env.app.execute(print(document), variables);
  expect(body.errors).toBeUndefined();
  return body.data as Result;
}

describe('the codegen’d client', () => {
  it('Prospects: bulk figures of several targets, typed (Date is a string)', async () => {
    const data = await run(ProspectsDocument, { targets: ['ahrefs.com', 'moz.com'], since: null });
    const [first] = data.targets ?? [];
    const rank: number | null | undefined = first?.bulkMetrics?.rank;
    const since: string | undefined = first?.bulkMetrics?.newAndLost?.since;
    expect(data.targets?.map((t) => t.target)).toEqual(['ahrefs.com', 'moz.com']);
    expect(rank).toEqual(expect.any(Number));
    expect(since).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('Profile: a target, its breakdown and its strongest referring domains', async () => {
    const data = await run(ProfileDocument, { target: 'backlinko.com', first: 3 });
    const target = data.target;
    if (!target) throw new Error('no target');
    const rank: number | null | undefined = target.rank;
    const firstSeen: string | null | undefined = target.firstSeen;
    const counts: number[] = target.breakdown?.tlds.map((t) => t.count) ?? [];
    const domains: string[] = target.referringDomains?.nodes.map((n) => n.domain) ?? [];
    const hops: (number | null | undefined)[] = target.referringDomains?.nodes.map((n) => n.asTarget.rank) ?? [];
    expect(rank).toEqual(expect.any(Number));
    expect(new Date(firstSeen ?? '').toISOString()).toBe(firstSeen);
    expect(counts.length).toBeGreaterThan(0);
    expect(domains).toHaveLength(3);
    expect(hops.every((h) => typeof h === 'number')).toBe(true);
  });

  it('LinkGap: typed input objects and per-target links', async () => {
    const data = await run(LinkGapDocument, {
      targets: ['backlinko.com', 'ahrefs.com'],
      filter: { link: { target: 'ahrefs.com', rank: { gt: 100 } } },
      first: 5,
    });
    const links = data.domainIntersection?.nodes.flatMap((n) => n.links.map((l) => `${l.target.target}:${l.rank ?? 'null'}`)) ?? [];
    expect(links.length).toBeGreaterThan(0);
  });

  it('NodeById: a global ID round-trips with its __typename narrowed', async () => {
    const profile = await run(ProfileDocument, { target: 'backlinko.com', first: 1 });
    const id = profile.target?.referringDomains?.nodes[0]?.id ?? '';
    const data = await run(NodeByIdDocument, { id });
    const node = data.node;
    if (node?.__typename !== 'ReferringDomain') throw new Error(`expected a ReferringDomain, got ${node?.__typename}`);
    const linksTo: string = node.linksTo.target;
    expect(linksTo).toBe('backlinko.com');
  });
});
