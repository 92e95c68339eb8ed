import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { compileBacklinkFilter } from '../../src/graphql/schema/backlink-filter.js';
import { PROFILE_FILTER_FIELDS, orderValueName } from '../../src/graphql/schema/filter-inputs.js';
import { compileReferringDomainFilter } from '../../src/graphql/schema/referring-domain-filter.js';
import { useSandboxApp } from '../helpers/sandbox.js';

/**
 * Random filters, orders, options and pagination, valid and malformed, through the whole app against the sandbox.
 * Every operation either compiles to requests the sandbox accepts (no 40501 ever surfaces as UPSTREAM_BAD_REQUEST)
 * or is refused with BAD_USER_INPUT before any request; nothing crashes or yields an internal error.
 * The seed is fixed so CI is reproducible; FC_SEED=… explores others.
 */
const SEED = Number(process.env.FC_SEED ?? 20261122);
const RUNS = Number(process.env.FC_RUNS ?? 1500);

const env = useSandboxApp({ maxConcurrency: 10_000, maxPerMinute: 10_000_000 });

const int = fc.integer({ min: -5, max: 1200 });
const intList = fc.array(int, { maxLength: 3 });
/** Absent most of the time. */
const opt = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
/** An object holding at most `max` of the given fields: filters stay near the 8-condition limit, on both sides. */
function sparse(fields: Record<string, fc.Arbitrary<unknown>>, max: number): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .uniqueArray(fc.constantFrom(...Object.keys(fields)), { maxLength: max })
    .chain((keys) => fc.record(Object.fromEntries(keys.map((k) => [k, fields[k] as fc.Arbitrary<unknown>]))));
}
const intFilter = sparse({ eq: int, ne: int, gt: int, gte: int, lt: int, lte: int, in: intList, notIn: intList }, 2);
const REGEXES = ['^[a-m]', 'blog|news', '\\d+', '(?i)SHOP', 'a(?=b)', '(a)\\1', '[', 'x{2,', 'a'.repeat(1001), '(?<name>x)', ''];
const text = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a.com', 'blog', '%blog%', '%', 'news today', '%.org', 'A%') },
  { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '!!', 'x'.repeat(1001)) },
);
const regex = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...REGEXES.slice(0, 4)) },
  { weight: 1, arbitrary: fc.constantFrom(...REGEXES.slice(4)) },
);
const stringFilter = sparse(
  {
    eq: text,
    ne: text,
    in: fc.array(text, { maxLength: 3 }),
    notIn: fc.array(text, { maxLength: 3 }),
    like: text,
    notLike: text,
    ilike: text,
    notIlike: text,
    regex,
    notRegex: regex,
    match: text,
    notMatch: text,
  },
  2,
);
const date = fc
  .date({ min: new Date('2010-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const dateFilter = sparse({ before: date, after: date }, 2);
const keyCount = fc.record({ key: fc.constantFrom('com', 'org', 'US', '', 'a,b', 'anchor', 'nofollow'), count: intFilter });
const breakdown = sparse({ tld: keyCount, country: keyCount, type: keyCount, attribute: keyCount }, 2);

const profileFields = (): Record<string, fc.Arbitrary<unknown>> =>
  Object.fromEntries(PROFILE_FILTER_FIELDS.map((f) => [f.name, f.kind === 'int' ? intFilter : dateFilter]));

const { referringDomainFilter } = fc.letrec<{ referringDomainFilter: Record<string, unknown> }>((tie) => ({
  referringDomainFilter: sparse(
    {
      domain: stringFilter,
      breakdown,
      ...profileFields(),
      and: fc.array(tie('referringDomainFilter'), { maxLength: 2, depthIdentifier: 'filter' }),
      or: fc.array(tie('referringDomainFilter'), { maxLength: 2, depthIdentifier: 'filter' }),
    },
    3,
  ),
}));

const { backlinkFilter } = fc.letrec<{ backlinkFilter: Record<string, unknown> }>((tie) => ({
  backlinkFilter: sparse(
    {
      dofollow: fc.boolean(),
      isLost: fc.boolean(),
      anchor: stringFilter,
      domainFrom: stringFilter,
      domainFromRank: intFilter,
      firstSeen: dateFilter,
      linkType: sparse(
        {
          eq: fc.constantFrom('ANCHOR', 'IMAGE', 'REDIRECT'),
          in: fc.array(fc.constantFrom('ANCHOR', 'CANONICAL', 'META'), { maxLength: 2 }),
        },
        1,
      ),
      attributes: sparse({ has: fc.constantFrom('nofollow', 'ugc'), hasNot: fc.constantFrom('sponsored', '') }, 1),
      and: fc.array(tie('backlinkFilter'), { maxLength: 2, depthIdentifier: 'bl' }),
      or: fc.array(tie('backlinkFilter'), { maxLength: 2, depthIdentifier: 'bl' }),
    },
    2,
  ),
}));

const ORDER_FIELDS = ['DOMAIN', ...PROFILE_FILTER_FIELDS.map((f) => orderValueName(f.name))];
const order = fc.array(fc.record({ field: fc.constantFrom(...ORDER_FIELDS), direction: fc.constantFrom('ASC', 'DESC') }), { maxLength: 4 });
const targetArg = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('backlinko.com', 'WWW.Backlinko.com', 'https://backlinko.com/blog/', 'explodingtopics.com') },
  { weight: 1, arbitrary: fc.constantFrom('not a domain', 'localhost', 'ftp://x.com/a', '', 'https://a.com:81/x') },
);
const pageSize = opt(
  fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 1000 }) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 1100 }) }),
);
const options = opt(
  sparse(
    {
      breakdownLimit: fc.integer({ min: -2, max: 1100 }),
      status: fc.constantFrom('ALL', 'LIVE', 'LOST'),
      rankScale: fc.constantFrom('ONE_HUNDRED', 'ONE_THOUSAND'),
      backlinksFilter: backlinkFilter,
    },
    2,
  ),
);

/** Runs one operation and checks the invariant; returns what happened, for the statistics. */
async function check(query: string, variables: Record<string, unknown>): Promise<'data' | 'refused'> {
  const before = env.sandbox.stats().requests;
  const { body } = await env.app.execute(query, variables);
  const codes = (body.errors ?? []).map((e: { extensions?: { code?: string } }) => e.extensions?.code);
  const context = JSON.stringify({ variables, errors: body.errors });
  expect(
    codes.every((c: string | undefined) => c === 'BAD_USER_INPUT'),
    context,
  ).toBe(true);
  if (codes.length > 0) {
    expect(env.sandbox.stats().requests - before, context).toBe(0);
    return 'refused';
  }
  expect(body.data, context).toBeTruthy();
  return 'data';
}

describe('random inputs never cost money when invalid, and never make the upstream refuse a request', () => {
  it(`referringDomains: filter, orderBy, options and pagination (${RUNS} runs)`, async () => {
    const outcomes = { data: 0, refused: 0 };
    const query = `query($t: String!, $o: BacklinkOptions, $f: ReferringDomainFilter, $by: [ReferringDomainOrder!], $first: Int, $last: Int, $after: String) {
      target(target: $t, options: $o) { referringDomains(filter: $f, orderBy: $by, first: $first, last: $last, after: $after) { totalCount nodes { domain rank } } } }`;
    await fc.assert(
      fc.asyncProperty(
        targetArg,
        options,
        opt(referringDomainFilter),
        opt(order),
        pageSize,
        pageSize,
        opt(fc.constantFrom('garbage', 'djE6MTp4eHh4eHh4eHh4eHh4eHh4')),
        async (t, o, f, by, first, last, after) => {
          outcomes[await check(query, { t, o, f, by, first: first ?? (last === undefined ? 5 : undefined), last, after })] += 1;
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
    // Both kinds must be common, or the property proves little.
    expect(outcomes.data).toBeGreaterThan(RUNS / 10);
    expect(outcomes.refused).toBeGreaterThan(RUNS / 10);
  });

  it(`domainIntersection: per-target filters and orders (${Math.round(RUNS / 2)} runs)`, async () => {
    const outcomes = { data: 0, refused: 0 };
    const targets = fc.oneof(
      { weight: 5, arbitrary: fc.shuffledSubarray(['backlinko.com', 'ahrefs.com', 'moz.com'], { minLength: 2 }) },
      { weight: 1, arbitrary: fc.array(fc.constantFrom('backlinko.com', 'www.moz.com', 'bad target'), { maxLength: 3 }) },
    );
    const linkFilter = fc
      .tuple(
        fc.constantFrom('backlinko.com', 'ahrefs.com', 'MOZ.com', 'other.com'),
        sparse({ rank: intFilter, backlinkCount: intFilter, firstSeen: dateFilter, breakdown }, 2),
      )
      .map(([target, rest]) => ({ target, ...rest }));
    const { filter } = fc.letrec<{ filter: Record<string, unknown> }>((tie) => ({
      filter: sparse(
        {
          intersectionCount: intFilter,
          link: linkFilter,
          and: fc.array(tie('filter'), { maxLength: 2, depthIdentifier: 'ix' }),
          or: fc.array(tie('filter'), { maxLength: 2, depthIdentifier: 'ix' }),
        },
        2,
      ),
    }));
    const ixOrder = fc.array(
      fc.oneof(
        fc.record({ field: fc.constant('INTERSECTION_COUNT'), direction: fc.constantFrom('ASC', 'DESC') }),
        fc.record({
          field: fc.constantFrom('RANK', 'BACKLINK_COUNT', 'FIRST_SEEN'),
          target: fc.constantFrom('backlinko.com', 'ahrefs.com', 'moz.com', 'nope.com'),
          direction: fc.constantFrom('ASC', 'DESC'),
        }),
        fc.record({
          field: fc.constantFrom('INTERSECTION_COUNT', 'RANK'),
          target: opt(fc.constantFrom('ahrefs.com')),
          direction: fc.constantFrom('ASC', 'DESC'),
        }),
      ),
      { maxLength: 4 },
    );
    const query = `query($t: [String!]!, $x: [String!], $m: IntersectionMode, $f: IntersectionFilter, $by: [IntersectionOrder!], $first: Int) {
      domainIntersection(targets: $t, excludeTargets: $x, mode: $m, filter: $f, orderBy: $by, first: $first) { totalCount nodes { domain intersectionCount } } }`;
    await fc.assert(
      fc.asyncProperty(
        targets,
        opt(
          fc.oneof(
            { weight: 4, arbitrary: fc.array(fc.constantFrom('semrush.com', 'https://x.com/a/*'), { maxLength: 2 }) },
            { weight: 1, arbitrary: fc.array(fc.constantFrom('semrush.com', 'bad one'), { maxLength: 11 }) },
          ),
        ),
        fc.constantFrom('ALL', 'PARTIAL'),
        opt(filter),
        opt(ixOrder),
        pageSize,
        async (t, x, m, f, by, first) => {
          outcomes[await check(query, { t, x, m, f, by, first })] += 1;
        },
      ),
      { numRuns: Math.round(RUNS / 2), seed: SEED },
    );
    expect(outcomes.data).toBeGreaterThan(RUNS / 10);
    expect(outcomes.refused).toBeGreaterThan(RUNS / 20);
  });
});

describe('the compiler alone', () => {
  const toInput = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value), (key, v) =>
      (key === 'before' || key === 'after') && typeof v === 'string'
        ? new Date(v)
        : typeof v === 'string' && /^[A-Z]+$/.test(v) && key !== 'key'
          ? v.toLowerCase()
          : v,
    );

  it('never produces an expression the upstream parser refuses (the safety net never fires)', () => {
    const refusedByNet = (run: () => unknown) => {
      try {
        run();
        return false;
      } catch (error) {
        if (!(error instanceof GraphQLError) || error.extensions.code !== 'BAD_USER_INPUT') throw error;
        return / is refused: /.test(error.message);
      }
    };
    fc.assert(
      fc.property(referringDomainFilter, backlinkFilter, (f, b) => {
        expect(refusedByNet(() => compileReferringDomainFilter(toInput(f) as never))).toBe(false);
        expect(refusedByNet(() => compileBacklinkFilter('options.backlinksFilter', toInput(b) as never))).toBe(false);
      }),
      { numRuns: RUNS * 2, seed: SEED },
    );
  });
});
