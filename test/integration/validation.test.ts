import { describe, expect, it } from 'vitest';
import { useSandboxApp } from '../helpers/sandbox.js';

/** Every limit of the edge validation: refused just above it, for free; accepted at it. */

const env = useSandboxApp();

const domains = (n: number, prefix = 'site') => Array.from({ length: n }, (_, i) => `${prefix}${i}.com`);
const conditions = (n: number) => ({ and: Array.from({ length: n }, (_, i) => ({ rank: { gt: i } })) });

const CASES: [string, string, Record<string, unknown>, Record<string, unknown>, string][] = [
  [
    'targets: at most 1000',
    'query($t: [String!]!) { targets(targets: $t) { target } }',
    { t: domains(1001) },
    { t: domains(1000) },
    'targets',
  ],
  [
    'domainIntersection: at most 20 targets',
    'query($t: [String!]!) { domainIntersection(targets: $t, first: 1) { totalCount } }',
    { t: domains(21) },
    { t: domains(20) },
    'targets',
  ],
  [
    'domainIntersection: at least 2 targets',
    'query($t: [String!]!) { domainIntersection(targets: $t, first: 1) { totalCount } }',
    { t: domains(1) },
    { t: domains(2) },
    'targets',
  ],
  [
    'excludeTargets: at most 10',
    'query($x: [String!]) { domainIntersection(targets: ["a.com", "b.com"], excludeTargets: $x, first: 1) { totalCount } }',
    { x: domains(11, 'x') },
    { x: domains(10, 'x') },
    'excludeTargets',
  ],
  [
    'breakdownLimit: at most 1000',
    'query($n: Int) { target(target: "a.com", options: { breakdownLimit: $n }) { rank } }',
    { n: 1001 },
    { n: 1000 },
    'options.breakdownLimit',
  ],
  [
    'breakdownLimit: at least 1',
    'query($n: Int) { target(target: "a.com", options: { breakdownLimit: $n }) { rank } }',
    { n: 0 },
    { n: 1 },
    'options.breakdownLimit',
  ],
  [
    'first: at most 1000',
    'query($n: Int) { target(target: "a.com") { referringDomains(first: $n) { totalCount } } }',
    { n: 1001 },
    { n: 1000 },
    'first',
  ],
  [
    'last: at least 0',
    'query($n: Int) { target(target: "a.com") { referringDomains(last: $n) { totalCount } } }',
    { n: -1 },
    { n: 0 },
    'last',
  ],
  [
    'filter: at most 8 conditions',
    'query($f: ReferringDomainFilter) { target(target: "a.com") { referringDomains(filter: $f) { totalCount } } }',
    { f: conditions(9) },
    { f: conditions(8) },
    'filter',
  ],
  [
    'backlinksFilter: at most 8 conditions',
    'query($f: BacklinkFilter) { target(target: "a.com", options: { backlinksFilter: $f }) { rank } }',
    { f: { and: Array.from({ length: 9 }, (_, i) => ({ domainFromRank: { gt: i } })) } },
    { f: { and: Array.from({ length: 8 }, (_, i) => ({ domainFromRank: { gt: i } })) } },
    'options.backlinksFilter',
  ],
  [
    'orderBy: at most 3 rules',
    'query($o: [ReferringDomainOrder!]) { target(target: "a.com") { referringDomains(orderBy: $o) { totalCount } } }',
    { o: Array.from({ length: 4 }, () => ({ field: 'RANK' })) },
    { o: Array.from({ length: 3 }, () => ({ field: 'RANK' })) },
    'orderBy',
  ],
  [
    'regex: at most 1000 characters',
    'query($r: String) { target(target: "a.com") { referringDomains(filter: { domain: { regex: $r } }) { totalCount } } }',
    { r: 'a'.repeat(1001) },
    { r: 'a'.repeat(1000) },
    'filter.domain.regex',
  ],
  [
    'target: at most 2048 characters',
    'query($t: String!) { target(target: $t) { rank } }',
    { t: `https://a.com/${'p'.repeat(2035)}` },
    { t: `https://a.com/${'p'.repeat(2034)}` },
    'target',
  ],
];

describe.each(CASES)('%s', (_name, query, above, at, argument) => {
  it('refuses the value just above, naming the argument, with no upstream request', async () => {
    env.sandbox.resetStats();
    const { body } = await env.app.execute(query, above);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(body.errors?.[0]?.extensions.allowed).toEqual(expect.any(String));
    expect(env.sandbox.stats().requests).toBe(0);
  });

  it('accepts the value at the limit', async () => {
    const { body } = await env.app.execute(query, at);
    expect(body.errors).toBeUndefined();
  });
});
