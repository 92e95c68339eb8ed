import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { BudgetInputError, BudgetUnknownError, ESTIMATE_WORK_MAX, estimateUpstreamCalls } from '../../src/graphql/budget.js';
import { costs, type CostArgs } from '../../src/graphql/cost.js';
import { schema } from '../../src/graphql/schema/index.js';

const id = (s: string) => Buffer.from(s).toString('base64');
const estimate = (query: string, variables?: Record<string, unknown>) =>
  estimateUpstreamCalls(schema, parse(query), undefined, variables).calls;

describe('estimateUpstreamCalls: exact for the common shapes', () => {
  it.each([
    ['a target without summary fields', '{ target(target: "a.com") { id target } }', 0],
    ['summary fields share one call', '{ target(target: "a.com") { rank backlinkCount info { server } breakdown { tlds { key } } } }', 1],
    [
      'the same target under 50 aliases',
      `{ ${Array.from({ length: 50 }, (_, i) => `t${i}: target(target: "a.com") { rank }`).join(' ')} }`,
      1,
    ],
    ['two different targets', '{ a: target(target: "a.com") { rank } b: target(target: "b.com") { rank } }', 2],
    ['a page, totalCount only', '{ target(target: "a.com") { referringDomains { totalCount } } }', 1],
    ['last without before', '{ target(target: "a.com") { referringDomains(last: 5) { nodes { domain } } } }', 2],
    ['asTarget under a page of 500', '{ target(target: "a.com") { referringDomains(first: 500) { nodes { asTarget { rank } } } } }', 501],
    ['asTarget under the default page', '{ target(target: "a.com") { referringDomains { edges { node { asTarget { rank } } } } } }', 26],
    ['the page’s own target', '{ target(target: "a.com") { referringDomains(first: 10) { nodes { target { rank } } } } }', 2],
    ['targets', '{ targets(targets: ["a.com", "b.com", "c.com"]) { rank } }', 3],
    [
      'an intersection and its targets',
      '{ domainIntersection(targets: ["a.com", "b.com", "c.com"], first: 10) { nodes { links { target { rank } } } } }',
      4,
    ],
    [
      'Target.intersection with asTarget',
      '{ target(target: "a.com") { intersection(others: ["b.com"], first: 3) { nodes { asTarget { rank } } } } }',
      4,
    ],
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

const intersectionId = (targets: string[], number: string) =>
  id(`Intersection:${JSON.stringify([targets, [], 'all', {}, 'x.com', number])}`);

describe('estimateUpstreamCalls: node IDs cost by their decoded type, through the resolvers’ validators', () => {
  it.each([
    [
      'an Intersection’s links to its 3 targets',
      `{ node(id: "${intersectionId(['a.com', 'b.com', 'c.com'], '2')}") { ... on Intersection { links { target { rank } } } } }`,
      4,
    ],
    [
      'an Intersection with a target number out of range',
      `{ node(id: "${intersectionId(['a.com', 'b.com'], '3')}") { ... on Intersection { links { target { rank } } } } }`,
      0,
    ],
    [
      'a ReferringDomain and its own target',
      `{ node(id: "${id('ReferringDomain:["a.com",{},"b.com"]')}") { ... on ReferringDomain { target { rank } asTarget { rank } } } }`,
      3,
    ],
    ['a ReferringDomain of an invalid target', `{ node(id: "${id('ReferringDomain:["not a target",{},"b.com"]')}") { id } }`, 0],
    ['an ID that is not canonical base64', `{ node(id: "${id('ReferringDomain:["a.com",{},"b.com"]')}=") { id } }`, 0],
    [
      'nodes: each ID its own cost',
      `{ nodes(ids: ["${id('Target:["a.com",{}]')}", "${id('ReferringDomain:["a.com",{},"b.com"]')}"]) { id ... on Target { rank } } }`,
      2,
    ],
  ])('%s', (_name, query, expected) => {
    expect(estimate(query)).toBe(expected);
  });

  it('an ID that nodes(ids:) would refuse throws BudgetInputError: the non-null list would null the whole data', () => {
    expect(() => estimate(`{ nodes(ids: ["${id('Target:["a.com",{}]')}", "x"]) { id } }`)).toThrow(BudgetInputError);
  });
});

describe('estimateUpstreamCalls: directives and arguments as execution sees them', () => {
  it.each([
    ['@skip(if: true)', '{ target(target: "a.com") @skip(if: true) { rank } }', 0],
    [
      '@include(if: false) on a fragment spread',
      '{ target(target: "a.com") { ...P @include(if: false) } } fragment P on Target { rank }',
      0,
    ],
    ['@skip with a variable', 'query($s: Boolean!) { target(target: "a.com") { rank @skip(if: $s) } }', 0],
    ['@include with a variable default', 'query($i: Boolean = true) { target(target: "a.com") { rank @include(if: $i) } }', 1],
    [
      'a null for a required argument: the field is refused',
      'query($v: String = "a.com") { target(target: $v) { rank referringDomains { totalCount } } }',
      0,
    ],
    ['an inline fragment on another type', '{ target(target: "a.com") { ... on ReferringDomain { domain } } }', 0],
    ['an alias of __typename', '{ a: __typename target(target: "a.com") { t: __typename } }', 0],
  ])('%s', (_name, query, expected) => {
    expect(estimate(query, { s: true, v: null })).toBe(expected);
  });

  it('refuses (BudgetUnknownError) a directive it cannot evaluate', () => {
    expect(() => estimate('query($s: Boolean = true) { target(target: "a.com") @skip(if: $s) { rank } }', { s: null })).toThrow(
      BudgetUnknownError,
    );
  });

  it('is safe on documents validation refuses: fragment cycles, unknown fragments and fields are refused, not looped on or skipped', () => {
    expect(() => estimate('{ target(target: "a.com") { ...A } } fragment A on Target { ...B } fragment B on Target { ...A }')).toThrow(
      /cycle/,
    );
    expect(() => estimate('{ target(target: "a.com") { ...Nope } }')).toThrow(BudgetUnknownError);
    expect(() => estimate('{ target(target: "a.com") { nope } }')).toThrow(BudgetUnknownError);
  });

  it('non-query operations are decided: graphql-js refuses a root type the schema lacks, at no cost', () => {
    expect(estimate('mutation { target(target: "a.com") { rank } }')).toBe(0);
    expect(estimate('subscription { target(target: "a.com") { rank } }')).toBe(0);
    expect(estimateUpstreamCalls(schema, parse('query A { __typename } query B { target(target: "a.com") { rank } }'), 'B', {}).calls).toBe(
      1,
    );
    expect(
      estimateUpstreamCalls(schema, parse('query A { __typename } query B { target(target: "a.com") { rank } }'), undefined, {}).calls,
    ).toBe(0);
  });
});

/** Fragments F0…F(levels−1) each spreading the next twice; the last holds `leaf`. */
function doubled(levels: number, leaf: string, on = 'Target', spreads = 2): string {
  const next = (i: number) => Array.from({ length: spreads }, () => `...F${i + 1}`).join(' ');
  return `${Array.from({ length: levels }, (_, i) => `fragment F${i} on ${on} { ${next(i)} }`).join(' ')} fragment F${levels} on ${on} { ${leaf} }`;
}

describe('estimateUpstreamCalls: linear work, bounded', () => {
  const run = (query: string) => estimateUpstreamCalls(schema, parse(query), undefined, {});

  it('22 doubled fragments (4 million selections expanded) take a few steps per fragment', () => {
    const result = run(`{ target(target: "a.com") { ...F0 } } ${doubled(22, 'rank backlinkCount')}`);
    expect(result.calls).toBe(1);
    expect(result.work).toBeLessThan(200);
  });

  it.each([
    ['60 levels, doubled', 60, 2],
    ['12 levels, 8 spreads each', 12, 8],
  ])('%s: work grows with the document, not the expansion', (_name, levels, spreads) => {
    const result = run(`{ target(target: "a.com") { ...F0 } } ${doubled(levels, 'rank', 'Target', spreads)}`);
    expect(result.calls).toBe(1);
    // About three steps per spread (the visit, the memo hit, the merge of its response keys): linear in the document.
    expect(result.work).toBeLessThan(levels * (3 * spreads + 2) + 20);
  });

  it('the same fragment under different pages is costed once per context, and multiplied right', () => {
    const result = run(
      '{ target(target: "a.com") { a: referringDomains(first: 3) { nodes { ...R } } b: referringDomains(first: 5) { nodes { ...R } } } } fragment R on ReferringDomain { asTarget { rank } target { rank } }',
    );
    // 2 pages + 3 + 5 asTarget summaries + the owner's summary once per page.
    expect(result.calls).toBe(2 + 3 + 5 + 2);
  });

  it('refuses past the work bound instead of running on', () => {
    const wide = `{ ${Array.from({ length: ESTIMATE_WORK_MAX / 2 + 1 }, (_, i) => `a${i}: __typename b${i}: __typename`).join(' ')} }`;
    expect(() => run(wide)).toThrow(/steps/);
  });
});

describe('the cost vocabulary covers batched (bulk) groups without touching the walker', () => {
  it('one call per 1000 distinct objects per option set', async () => {
    const { GraphQLObjectType, GraphQLSchema, GraphQLList, GraphQLInt, GraphQLString } = await import('graphql');
    const Item = new GraphQLObjectType({
      name: 'Item',
      extensions: costs({ groups: { bulk: { batchSize: 1000, per: 'options' } } }),
      fields: { score: { type: GraphQLInt, extensions: costs({ group: 'bulk' }) }, name: { type: GraphQLString } },
    });
    const items = {
      type: new GraphQLList(Item),
      args: { n: { type: GraphQLInt }, options: { type: GraphQLString } },
      extensions: costs({ fanOut: (a: CostArgs) => Number(a.n), scope: (a: CostArgs) => ({ options: String(a.options) }) }),
    };
    const toy = new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { items, more: items } }) });
    const calls = (q: string) => estimateUpstreamCalls(toy, parse(q), undefined, {}).calls;
    expect(calls('{ items(n: 2500, options: "a") { score } }')).toBe(3);
    expect(calls('{ items(n: 2500, options: "a") { name } }')).toBe(0);
    expect(calls('{ items(n: 600, options: "a") { score } more(n: 600, options: "a") { score } }')).toBe(2);
    expect(calls('{ items(n: 600, options: "a") { score } more(n: 600, options: "b") { score } }')).toBe(2);
    expect(calls('{ items(n: 300, options: "a") { score } more(n: 300, options: "a") { score } }')).toBe(1);
  });

  it('keys a batch by several scope entries, and counts objects whose scope lacks one as a call each', async () => {
    const { GraphQLObjectType, GraphQLSchema, GraphQLList, GraphQLInt, GraphQLString } = await import('graphql');
    const Item = new GraphQLObjectType({
      name: 'Item',
      extensions: costs({ groups: { bulk: { batchSize: 1000, per: ['scale', 'day'] } } }),
      fields: { score: { type: GraphQLInt, extensions: costs({ group: 'bulk' }) } },
    });
    const args = { n: { type: GraphQLInt }, scale: { type: GraphQLString }, day: { type: GraphQLString } };
    const items = {
      type: new GraphQLList(Item),
      args,
      extensions: costs({
        fanOut: (a: CostArgs) => Number(a.n),
        scope: (a: CostArgs) => ({ ...(a.scale ? { scale: a.scale as string } : {}), ...(a.day ? { day: a.day as string } : {}) }),
      }),
    };
    const toy = new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { items, more: items } }) });
    const calls = (q: string) => estimateUpstreamCalls(toy, parse(q), undefined, {}).calls;
    expect(calls('{ items(n: 600, scale: "a", day: "1") { score } more(n: 600, scale: "a", day: "1") { score } }')).toBe(2);
    expect(calls('{ items(n: 300, scale: "a", day: "1") { score } more(n: 300, scale: "a", day: "2") { score } }')).toBe(2);
    expect(calls('{ items(n: 300, scale: "a", day: "1") { score } more(n: 300, scale: "b", day: "1") { score } }')).toBe(2);
    // Without the day, the objects could be of any day: none is assumed to share a call.
    expect(calls('{ items(n: 300, scale: "a") { score } }')).toBe(300);
    expect(calls('{ items(n: 3, scale: "a") { ...F } more(n: 3, scale: "a") { ...F } } fragment F on Item { score }')).toBe(6);
  });
});

describe('budget.ts knows no type or field of the schema', () => {
  it('its code (comments aside) names none of them', async () => {
    const { readFileSync } = await import('node:fs');
    const code = readFileSync(new URL('../../src/graphql/budget.ts', import.meta.url), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    const literals = new Set([...code.matchAll(/(['"`])((?:(?!\1)[^\\]|\\.)*)\1/g)].map((m) => m[2]));
    const identifiers = new Set(code.match(/[A-Za-z_][A-Za-z0-9_]*/g));
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Boolean', 'ID', 'Float'].includes(type.name)) continue;
      expect(identifiers.has(type.name) || literals.has(type.name), type.name).toBe(false);
      if ('getFields' in type)
        for (const name of Object.keys(type.getFields())) expect(literals.has(name), `${type.name}.${name}`).toBe(false);
    }
  });
});
