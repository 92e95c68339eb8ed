import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { estimateUpstreamCalls } from '../../src/graphql/budget.js';
import { schema } from '../../src/graphql/schema/index.js';

const id = (s: string) => Buffer.from(s).toString('base64');
const estimate = (query: string, variables?: Record<string, unknown>) => estimateUpstreamCalls(schema, parse(query), undefined, variables).calls;

describe('estimateUpstreamCalls: exact for the common shapes', () => {
  it.each([
    ['a target without summary fields', '{ target(target: "a.com") { id target } }', 0],
    ['summary fields share one call', '{ target(target: "a.com") { rank backlinkCount info { server } breakdown { tlds { key } } } }', 1],
    ['the same target under 50 aliases', `{ ${Array.from({ length: 50 }, (_, i) => `t${i}: target(target: "a.com") { rank }`).join(' ')} }`, 1],
    ['two different targets', '{ a: target(target: "a.com") { rank } b: target(target: "b.com") { rank } }', 2],
    ['a page, totalCount only', '{ target(target: "a.com") { referringDomains { totalCount } } }', 1],
    ['last without before', '{ target(target: "a.com") { referringDomains(last: 5) { nodes { domain } } } }', 2],
    ['asTarget under a page of 500', '{ target(target: "a.com") { referringDomains(first: 500) { nodes { asTarget { rank } } } } }', 501],
    ['asTarget under the default page', '{ target(target: "a.com") { referringDomains { edges { node { asTarget { rank } } } } } }', 26],
    ['the page’s own target', '{ target(target: "a.com") { referringDomains(first: 10) { nodes { target { rank } } } } }', 2],
    ['targets', '{ targets(targets: ["a.com", "b.com", "c.com"]) { rank } }', 3],
    ['an intersection and its targets', '{ domainIntersection(targets: ["a.com", "b.com", "c.com"], first: 10) { nodes { links { target { rank } } } } }', 4],
    ['Target.intersection with asTarget', '{ target(target: "a.com") { intersection(others: ["b.com"], first: 3) { nodes { asTarget { rank } } } } }', 4],
    ['node of a Target', `{ node(id: "${id('Target:["a.com",{}]')}") { ... on Target { rank } } }`, 1],
    ['node of a ReferringDomain', `{ node(id: "${id('ReferringDomain:["a.com",{},"b.com"]')}") { id } }`, 1],
    ['a fragment on LinkProfile', '{ target(target: "a.com") { ...P } } fragment P on LinkProfile { rank }', 1],
    ['variables', 'query($n: Int) { target(target: "a.com") { referringDomains(first: $n) { nodes { asTarget { rank } } } } }', 8],
  ])('%s', (_name, query, expected) => {
    expect(estimate(query, { n: 7 })).toBe(expected);
  });

  it('is 0 for invalid variables: execution refuses them before resolving anything', () => {
    expect(estimate('query($n: Int!) { target(target: "a.com") { referringDomains(first: $n) { totalCount } } }', {})).toBe(0);
  });
});
