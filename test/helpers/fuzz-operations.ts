import fc from 'fast-check';

/**
 * Random GraphQL operations over the schema, valid and almost valid: fields with arguments given as literals or
 * as variables (declared right or wrong, with and without defaults, sent valid, null, missing or of the wrong type,
 * nested deep), aliases, named and inline fragments (also chains that spread the next fragment twice),
 * `@skip`/`@include`, several operations and names, and the floods that probe each armor limit.
 *
 * A generated piece is its text plus the variables it uses, in the order they appear; `$@` in the text stands for
 * the next variable and is numbered when the operation is assembled, so pieces combine without name clashes.
 */

/** A variable an argument uses: its declared type, an optional default (GraphQL text) and the value sent. */
export interface VariableUse {
  type: string;
  defaultText?: string | undefined;
  /** The JSON value sent; `MISSING` leaves the variable out of `variables`. */
  value: unknown;
}

/** Marks a variable left out of the request's `variables`. */
export const MISSING = '\u0000missing';

interface Piece {
  text: string;
  vars: VariableUse[];
}

/** One operation as a client sends it. */
export interface GeneratedOperation {
  query: string;
  variables?: Record<string, unknown> | null | string | unknown[];
  operationName?: string | null;
}

const piece = (text: string, vars: VariableUse[] = []): Piece => ({ text, vars });
const join = (parts: Piece[], sep = ' '): Piece => ({ text: parts.map((p) => p.text).join(sep), vars: parts.flatMap((p) => p.vars) });
const optional = <T>(arb: fc.Arbitrary<T>, weight = 3): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

// Small synthetic profiles: the sandbox builds each in a few ms, so thousands of requests stay fast.
const VALID_TARGETS = ['moz.com', 'a.com', 'WWW.Moz.COM', 'x.example', 'https://example.com/blog/', 'münchen.de', 'blog.example.org'];
const BAD_TARGETS = [
  '',
  ' ',
  'not a domain',
  'localhost',
  'a.com:8080',
  'ftp://x.com/a',
  'user:pw@a.com',
  `${'x'.repeat(300)}.com`,
  'a..com',
  '../etc/passwd',
  'a.com\u0000',
  '\ud800.com',
];
const target = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(...VALID_TARGETS) },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_TARGETS) },
);
const intValue = fc.oneof(
  { weight: 24, arbitrary: fc.integer({ min: 0, max: 5 }) },
  { weight: 4, arbitrary: fc.constantFrom(25, 60, 300, 1000) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 1001, 2_147_483_647, -2_147_483_648) },
);
/** Values of the wrong type for any argument. */
const wrongValue = fc.constantFrom<unknown>('x', 1.5, true, [], {}, ['a.com'], { a: 1 }, 2_147_483_648, '5', 1e308);

/** A JSON value for a variable of a scalar type: mostly right, sometimes null, missing or wrong. */
function variableValue(right: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 24, arbitrary: right },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant(MISSING) },
    { weight: 1, arbitrary: wrongValue },
  );
}

/** An argument value: a literal, or a variable declared with its type (sometimes a wrong one) and maybe a default. */
function argument(
  literal: fc.Arbitrary<string>,
  type: string,
  wrongTypes: string[],
  json: fc.Arbitrary<unknown>,
  defaultText?: fc.Arbitrary<string>,
): fc.Arbitrary<Piece> {
  const asVariable = fc
    .record({
      type: fc.oneof({ weight: 20, arbitrary: fc.constant(type) }, { weight: 1, arbitrary: fc.constantFrom(...wrongTypes) }),
      value: variableValue(json),
      defaultText: defaultText ? optional(defaultText, 4) : fc.constant(undefined),
    })
    .map((v) => piece('$@', [{ type: v.type, value: v.value, defaultText: v.defaultText }]));
  return fc.oneof({ weight: 3, arbitrary: literal.map((t) => piece(t)) }, { weight: 2, arbitrary: asVariable });
}

const quoted = (s: string) => JSON.stringify(s);
const targetArg = argument(target.map(quoted), 'String!', ['String', 'Int', '[String!]', 'ID!'], target, target.map(quoted));
const targetList = (min: number, max: number) => fc.array(target, { minLength: min, maxLength: max });
const targetListArg = (min: number, max: number) =>
  argument(
    fc.oneof(
      { weight: 5, arbitrary: targetList(min, max).map((ts) => `[${ts.map(quoted).join(', ')}]`) },
      { weight: 1, arbitrary: fc.constantFrom('[]', '"a.com"', '[null]', '[1, 2]') },
    ),
    '[String!]!',
    ['[String]', 'String!', '[String!]', '[Int!]!'],
    fc.oneof(targetList(min, max), fc.constantFrom<unknown>([null], 'a.com', [[]])),
  );
const intArg = argument(
  fc.oneof(
    { weight: 24, arbitrary: intValue.map(String) },
    { weight: 1, arbitrary: fc.constantFrom('"5"', '1.5', 'null', '2147483648', 'true', 'FIVE') },
  ),
  'Int',
  ['Int!', 'String', 'Float', '[Int]'],
  intValue,
  intValue.map(String),
);
const cursorArg = argument(
  fc.constantFrom('"garbage"', '""', '"djE6MTp4eHh4eHh4eHh4eHh4eHh4"', 'null', '1'),
  'String',
  ['String!', 'Int', 'ID'],
  fc.constantFrom('garbage', '', 'djE6MTp4eHh4eHh4eHh4eHh4eHh4', `${'A'.repeat(5000)}`),
);

/** A filter nested `depth` levels deep through `and`: deep enough it overflows a recursive walker's stack. */
export function deepFilter(depth: number, leaf: Record<string, unknown>): Record<string, unknown> {
  let f: Record<string, unknown> = leaf;
  for (let i = 0; i < depth; i++) f = { and: [f] };
  return f;
}

const intFilter = fc.oneof(
  fc.record({ gt: intValue }),
  fc.record({ in: fc.array(intValue, { maxLength: 3 }) }),
  fc.constant({}),
  fc.constant({ eq: 'x' }),
);
const rdFilterValue = fc.oneof(
  { weight: 8, arbitrary: fc.record({ rank: intFilter }, { requiredKeys: [] }) },
  {
    weight: 4,
    arbitrary: fc.record(
      {
        domain: fc.record({ like: fc.constantFrom('%blog%', '%', '[', '') }),
        or: fc.constant([{ rank: { gt: 1 } }, { backlinkCount: { lt: 9 } }]),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 2, arbitrary: fc.integer({ min: 2, max: 12 }).map((d) => deepFilter(d, { rank: { gt: 1 } })) },
  // Deep input: a recursive coercer or compiler overflows its stack somewhere between these depths (JSON.stringify
  // itself gives up near 3000).
  { weight: 1, arbitrary: fc.constantFrom(200, 800, 1200, 2000).map((d) => deepFilter(d, { rank: { gt: 1 } })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      { nope: 1 },
      { rank: { gt: 1, lt: 2, eq: 3, ne: 4, gte: 5, lte: 6, in: [1], notIn: [2] }, backlinkCount: { gt: 1 } },
      { and: [] },
    ),
  },
);
const filterArg = argument(
  fc.constantFrom(
    '{ rank: { gt: 10 } }',
    '{ domain: { like: "%blog%" } }',
    '{ or: [{ rank: { gt: 1 } }, { rank: { lt: 0 } }] }',
    '{ rank: { gt: "x" } }',
    '{ nope: 1 }',
    '{}',
    'null',
  ),
  'ReferringDomainFilter',
  ['ReferringDomainFilter!', 'String', 'IntersectionFilter', 'BacklinkFilter'],
  rdFilterValue,
);
const optionsValue = fc.oneof(
  fc.record(
    {
      breakdownLimit: fc.constantFrom(1, 10, 0, 1001),
      status: fc.constantFrom('ALL', 'LIVE', 'LOST', 'lost'),
      rankScale: fc.constantFrom('ONE_HUNDRED', 'ONE_THOUSAND'),
    },
    { requiredKeys: [] },
  ),
  fc.constant({ backlinksFilter: { dofollow: true, anchor: { like: '%x%' } } }),
  fc.constantFrom(400, 2000).map((d) => ({ backlinksFilter: deepFilter(d, { dofollow: true }) })),
  fc.constant({ includeSubdomains: 'yes' }),
);
const optionsArg = argument(
  fc.constantFrom(
    '{ breakdownLimit: 5 }',
    '{ status: LOST }',
    '{ status: "LOST" }',
    '{ rankScale: ONE_HUNDRED, breakdownLimit: 0 }',
    '{ nope: true }',
    '{ backlinksFilter: { dofollow: true } }',
    'null',
  ),
  'BacklinkOptions',
  ['BacklinkOptions!', 'String', 'ReferringDomainFilter'],
  optionsValue,
);
const orderArg = argument(
  fc.constantFrom(
    '[{ field: RANK, direction: ASC }]',
    '[{ field: DOMAIN }]',
    '[{ field: "RANK" }]',
    '[{ field: RANK }, { field: RANK }, { field: DOMAIN }, { field: SPAM_SCORE }]',
  ),
  '[ReferringDomainOrder!]',
  ['ReferringDomainOrder', 'String'],
  fc.constantFrom<unknown>([{ field: 'RANK', direction: 'ASC' }], [{ field: 'NOPE' }], { field: 'RANK' }),
);

const b64 = (s: string) => Buffer.from(s).toString('base64');
/** Global IDs: real ones of each node type, and crafted ones the server must refuse before any call. */
const nodeIds = fc.constantFrom(
  b64('Target:["moz.com",{}]'),
  b64('ReferringDomain:["backlinko.com",{},"deltagroveblog.com"]'),
  b64('Intersection:[["backlinko.com","ahrefs.com"],[],"all",{},"deltagroveblog.com","1"]'),
  b64('Intersection:[["moz.com","a.com"],[],"all",{},"x.example","2"]'),
  // A target number out of range: refused by the server's own rules, or sent upstream as a filter it refuses.
  b64('Intersection:[["backlinko.com","ahrefs.com"],[],"all",{},"deltagroveblog.com","99"]'),
  b64('Intersection:[["backlinko.com","ahrefs.com"],[],"all",{},"deltagroveblog.com","0"]'),
  b64('Intersection:[["backlinko.com","ahrefs.com"],[],"all",{},"deltagroveblog.com","1) or (1"]'),
  b64('ReferringDomain:["not a domain",{},"x.com"]'),
  b64('Target:["a.com",{"bl":9999}]'),
  b64('Nope:1'),
  'not-base64!',
  '',
);
const idArg = argument(nodeIds.map(quoted), 'ID!', ['ID', 'String!', 'Int'], nodeIds);
const idListArg = argument(
  fc.array(nodeIds, { maxLength: 4 }).map((ids) => `[${ids.map(quoted).join(', ')}]`),
  '[ID!]!',
  ['[ID]', 'ID!'],
  fc.array(nodeIds, { maxLength: 60 }),
);
const boolArg = argument(
  fc.oneof({ weight: 8, arbitrary: fc.constantFrom('true', 'false') }, { weight: 1, arbitrary: fc.constantFrom('"true"', 'null', '1') }),
  'Boolean!',
  ['Boolean', 'String!', 'Int!'],
  fc.boolean(),
  fc.constantFrom('true', 'false'),
);

/** Zero to two of `@skip`/`@include` (sometimes misspelt or without `if`). */
const directives = fc.array(
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom('skip', 'include'), boolArg)
        .map(([name, arg]) => join([piece(`@${name}(if:`), arg, piece(')')], '')),
    },
    { weight: 1, arbitrary: fc.constantFrom('@skip', '@nope', '@include(if: true, x: 1)', '@deprecated').map((t) => piece(t)) },
  ),
  { maxLength: 2 },
);

/** `§A` is replaced by a fresh alias when the operation is assembled; the others may clash on purpose. */
const ALIASES = ['§A', 'a', 'rank', 'target', '__typename', 'dup'];
const alias = fc.oneof(
  { weight: 6, arbitrary: fc.constant('§A') },
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom(...ALIASES) },
);
/** Optionally an alias (mostly a fresh one, sometimes a clashing one), then the field text, then directives. */
function field(name: string, args: fc.Arbitrary<Piece[]>, selection?: fc.Arbitrary<Piece>): fc.Arbitrary<Piece> {
  return fc
    .tuple(alias, args, optional(directives, 6), selection ?? fc.constant(undefined))
    .map(([alias, a, dirs, sel]) =>
      join(
        [
          piece(`${alias ? `${alias}: ` : ''}${name}`),
          a.length > 0 ? join([piece('('), join(a, ', '), piece(')')], '') : piece(''),
          join(dirs ?? []),
          sel ? join([piece('{'), sel, piece('}')]) : piece(''),
        ],
        '',
      ),
    );
}
/** Named arguments, each present or not. */
function args(spec: Record<string, fc.Arbitrary<Piece>>, required: string[] = [], usual: string[] = ['first']): fc.Arbitrary<Piece[]> {
  // `first` is usually given: without it a page has the default 25 items, each a possible upstream call.
  const entries = Object.entries(spec).map(([name, arb]) =>
    required.includes(name)
      ? arb.map((p) => [name, p] as const)
      : usual.includes(name)
        ? fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 5, arbitrary: arb.map((p) => [name, p] as const) })
        : optional(
            arb.map((p) => [name, p] as const),
            2,
          ),
  );
  return fc
    .tuple(...entries)
    .map((pairs) => pairs.filter((p): p is readonly [string, Piece] => p !== undefined).map(([n, p]) => join([piece(`${n}:`), p], ' ')));
}
const leaves = (names: string[]) => fc.subarray(names, { minLength: 1 }).map((ns) => piece(ns.join(' ')));

const SUMMARY_FIELDS = [
  'rank',
  'backlinkCount',
  'spamScore',
  'firstSeen',
  'referringDomainCount',
  'crawledPageCount',
  'id',
  'target',
  '__typename',
  'info { server platformTypes }',
  'breakdown { tlds { key count } }',
];
const RD_FIELDS = ['domain', 'rank', 'backlinkCount', 'firstSeen', 'id', '__typename', 'breakdown { countries { key count } }'];
const IX_FIELDS = ['domain', 'intersectionCount', 'id', 'links { rank backlinkCount }', 'links { target { target } }'];

const pageArgs = { first: intArg, last: intArg, after: cursorArg, before: cursorArg };
const { targetSel } = fc.letrec<{ targetSel: Piece; rdSel: Piece; ixSel: Piece }>((tie) => ({
  targetSel: fc
    .array(
      fc.oneof(
        { weight: 6, arbitrary: leaves(SUMMARY_FIELDS) },
        {
          weight: 3,
          arbitrary: field(
            'referringDomains',
            args({ ...pageArgs, filter: filterArg, orderBy: orderArg }),
            fc.oneof(
              leaves(['totalCount', 'pageInfo { hasNextPage endCursor }']),
              tie('rdSel').map((s) => join([piece('nodes {'), s, piece('}')])),
              tie('rdSel').map((s) => join([piece('edges { cursor node {'), s, piece('} }')])),
            ),
          ),
        },
        {
          weight: 1,
          arbitrary: field(
            'intersection',
            args({ others: targetListArg(1, 3), first: intArg, last: intArg }, ['others']),
            tie('ixSel').map((s) => join([piece('totalCount nodes {'), s, piece('}')])),
          ),
        },
        { weight: 1, arbitrary: tie('targetSel').map((s) => join([piece('... on Target {'), s, piece('}')])) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(optional(directives, 1), tie('targetSel'))
            .map(([d, s]) => join([piece('...'), join(d ?? []), piece('{'), s, piece('}')])),
        },
      ),
      { minLength: 1, maxLength: 3, depthIdentifier: 'sel' },
    )
    .map((parts) => join(parts)),
  rdSel: fc
    .array(
      fc.oneof(
        { weight: 5, arbitrary: leaves(RD_FIELDS) },
        { weight: 1, arbitrary: field('asTarget', fc.constant([]), tie('targetSel')) },
        { weight: 1, arbitrary: field('target', fc.constant([]), tie('targetSel')) },
      ),
      { minLength: 1, maxLength: 2, depthIdentifier: 'sel' },
    )
    .map((parts) => join(parts)),
  ixSel: fc
    .array(
      fc.oneof({ weight: 4, arbitrary: leaves(IX_FIELDS) }, { weight: 1, arbitrary: field('asTarget', fc.constant([]), tie('targetSel')) }),
      {
        minLength: 1,
        maxLength: 2,
        depthIdentifier: 'sel',
      },
    )
    .map((parts) => join(parts)),
}));

const nodeSel = targetSel.map((s) =>
  join([
    piece('id __typename ... on Target {'),
    s,
    piece('} ... on ReferringDomain { domain asTarget { rank } } ... on Intersection { domain intersectionCount }'),
  ]),
);
const rootField = fc.oneof(
  { weight: 5, arbitrary: field('target', args({ target: targetArg, options: optionsArg }, ['target']), targetSel) },
  { weight: 2, arbitrary: field('targets', args({ targets: targetListArg(1, 4), options: optionsArg }, ['targets']), targetSel) },
  {
    weight: 2,
    arbitrary: field(
      'domainIntersection',
      args({ targets: targetListArg(2, 3), excludeTargets: targetListArg(0, 2), first: intArg, last: intArg, options: optionsArg }, [
        'targets',
      ]),
      fc
        .constantFrom(
          'totalCount',
          'nodes { domain intersectionCount }',
          'nodes { asTarget { rank } }',
          'edges { cursor node { id links { rank } } }',
        )
        .map((t) => piece(t)),
    ),
  },
  { weight: 2, arbitrary: field('node', args({ id: idArg }, ['id']), nodeSel) },
  { weight: 1, arbitrary: field('nodes', args({ ids: idListArg }, ['ids']), nodeSel) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '__typename',
        '__typename',
        '__typename',
        '__schema { queryType { name } }',
        '__type(name: "Target") { fields { name } }',
        'nope',
        'target { rank }',
        'target(target: "a.com")',
        'target(target: "a.com", nope: 1) { rank }',
      )
      .map((t) => piece(t)),
  },
);

/** Numbers the `$@` placeholders and declares their variables. */
function assemble(body: Piece, head: string, name: string | undefined): { definition: string; variables: Record<string, unknown> } {
  let i = 0;
  let a = 0;
  const text = body.text.replace(/\$@/g, () => `$v${i++}`).replace(/§A/g, () => `u${a++}`);
  const variables: Record<string, unknown> = {};
  const declarations = body.vars.map((v, k) => {
    if (v.value !== MISSING) variables[`v${k}`] = v.value;
    return `$v${k}: ${v.type}${v.defaultText !== undefined ? ` = ${v.defaultText}` : ''}`;
  });
  const header =
    declarations.length > 0 || name ? `${head}${name ? ` ${name}` : ''}${declarations.length ? `(${declarations.join(', ')})` : ''} ` : '';
  return { definition: `${header}{ ${text} }`, variables };
}

/** Operation names: mostly fresh made-up ones (each could become a metric label), some repeated. */
const operationName = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,24}$/) },
  { weight: 1, arbitrary: fc.constantFrom('Summary', 'LinkGap', 'q') },
);

const normalOperation: fc.Arbitrary<GeneratedOperation> = fc
  .tuple(
    fc.array(rootField, { minLength: 1, maxLength: 3 }),
    optional(operationName, 1),
    fc.oneof({ weight: 20, arbitrary: fc.constant('query') }, { weight: 1, arbitrary: fc.constantFrom('mutation', 'subscription') }),
  )
  .map(([fields, name, kind]) => {
    const { definition, variables } = assemble(join(fields), kind, name);
    return { query: definition, variables, ...(name ? { operationName: name } : {}) };
  });

/** Fragment chains: F0 holds the fields, each F(i+1) spreads F(i) twice. Long chains expand to 2^n fields. */
const fragmentChain = fc
  .tuple(
    fc.oneof({ weight: 100, arbitrary: fc.integer({ min: 1, max: 5 }) }, { weight: 1, arbitrary: fc.integer({ min: 21, max: 22 }) }),
    fc.constantFrom('rank', 'referringDomains(first: 2) { nodes { asTarget { rank } } }', 'id'),
  )
  .map(([n, leaf]) => {
    const fragments = [`fragment F0 on Target { ${leaf} }`];
    for (let i = 1; i <= n; i++) fragments.push(`fragment F${i} on Target { ...F${i - 1} ...F${i - 1} }`);
    return { query: `{ target(target: "moz.com") { ...F${n} } } ${fragments.join(' ')}` };
  });

/** Each armor limit, just under and just over (the defaults: 100 aliases, 12 deep, 2000 tokens, 20 directives). */
const floods: fc.Arbitrary<GeneratedOperation> = fc.oneof(
  fc.integer({ min: 95, max: 110 }).map((n) => ({ query: `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }` })),
  fc
    .integer({ min: 95, max: 110 })
    .map((n) => ({ query: `{ ${Array.from({ length: n }, (_, i) => `a${i}: target(target: "a.com") { id }`).join(' ')} }` })),
  fc.integer({ min: 8, max: 16 }).map((d) => {
    let q = 'rank';
    for (let i = 0; i < d; i++) q = `referringDomains(first: 1) { nodes { target { ${q} } } }`;
    return { query: `{ target(target: "a.com") { ${q} } }` };
  }),
  fc.integer({ min: 1980, max: 2020 }).map((n) => ({ query: `{ targets(targets: [${' "a.com"'.repeat(n - 12)} ]) { id } }` })),
  fc.integer({ min: 18, max: 24 }).map((n) => ({
    query: `{ ${Array.from({ length: n }, (_, i) => `t${i}: target(target: "a.com") @include(if: true) { id }`).join(' ')} }`,
  })),
  fc.integer({ min: 1, max: 40 }).map((n) => ({ query: `{ __typename ${'@skip(if: false) '.repeat(n)}}` })),
);

/** Text that is not a valid document, or several operations where the name picks one (or none). */
const oddDocuments: fc.Arbitrary<GeneratedOperation> = fc.oneof(
  fc
    .constantFrom(
      '',
      ' ',
      '{',
      '}',
      '{ target(target: "a.com" { rank } }',
      'query',
      '{ __typename',
      '"""',
      '{ target(target: "\\u0000") { rank } }',
      `{ target(target: "${'x'.repeat(20_000)}") { id } }`,
    )
    .map((query) => ({ query })),
  fc.tuple(fc.constantFrom('A', 'B', 'C', undefined, ''), fc.boolean()).map(([name, anonymous]) => ({
    query: `query A { target(target: "a.com") { rank } } query B { __typename }${anonymous ? ' { __typename }' : ''}`,
    ...(name !== undefined ? { operationName: name } : {}),
  })),
  fc
    .constantFrom('query Q($t: String!) { target(target: $t) { rank } }', 'query Q($t: String! = "a.com") { target(target: $t) { rank } }')
    .chain((query) =>
      fc
        .constantFrom<GeneratedOperation['variables']>(undefined, null, {}, { t: null }, { t: 5 }, '{"t":"a.com"}', [], 'x')
        .map((variables) => ({ query, variables })),
    ),
  // The estimator's blind spot: a @skip'ed field whose non-null argument is null, beside a large fan-out.
  fc.tuple(fc.constantFrom(60, 300), fc.constantFrom<unknown>(null, 5, MISSING)).map(([n, v]) => ({
    query:
      'query($v: String = "a.com") { bad: target(target: $v) @skip(if: true) { target } ' +
      `t: target(target: "x.example") { referringDomains(first: ${n}) { nodes { asTarget { rank } } } } }`,
    variables: v === MISSING ? {} : { v },
  })),
);

/** Any operation: mostly schema-shaped ones, then fragment chains, limit floods and odd documents. */
export const operation: fc.Arbitrary<GeneratedOperation> = fc.oneof(
  { weight: 14, arbitrary: normalOperation },
  { weight: 1, arbitrary: fragmentChain },
  { weight: 2, arbitrary: floods },
  { weight: 2, arbitrary: oddDocuments },
);
