import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compileBacklinkFilter } from '../../src/graphql/schema/backlink-filter.js';
import { compileIntersectionFilter, compileIntersectionOrder } from '../../src/graphql/schema/intersection-filter.js';
import { compileReferringDomainFilter, compileReferringDomainOrder } from '../../src/graphql/schema/referring-domain-filter.js';

const d = (iso: string) => new Date(iso);

describe('ReferringDomainFilter → filters', () => {
  it.each([
    [{ rank: { eq: 5 } }, ['rank', '=', 5]],
    [{ rank: { ne: 5 } }, ['rank', '<>', 5]],
    [{ backlinkCount: { gt: 5 } }, ['backlinks', '>', 5]],
    [{ backlinkCount: { gte: 5 } }, ['backlinks', '>=', 5]],
    [{ spamScore: { lt: 5 } }, ['backlinks_spam_score', '<', 5]],
    [{ spamScore: { lte: 5 } }, ['backlinks_spam_score', '<=', 5]],
    [{ referringPageCount: { in: [1, 2] } }, ['referring_pages', 'in', [1, 2]]],
    [{ referringIpCount: { notIn: [3] } }, ['referring_ips', 'not_in', [3]]],
    [{ domain: { eq: 'a.com' } }, ['domain', '=', 'a.com']],
    [{ domain: { ne: 'a.com' } }, ['domain', '<>', 'a.com']],
    [{ domain: { in: ['a.com', 'b.com'] } }, ['domain', 'in', ['a.com', 'b.com']]],
    [{ domain: { notIn: ['a.com'] } }, ['domain', 'not_in', ['a.com']]],
    [{ domain: { like: '%blog%' } }, ['domain', 'like', '%blog%']],
    [{ domain: { notLike: '%.ru' } }, ['domain', 'not_like', '%.ru']],
    [{ domain: { ilike: '%BLOG%' } }, ['domain', 'ilike', '%BLOG%']],
    [{ domain: { notIlike: '%SHOP%' } }, ['domain', 'not_ilike', '%SHOP%']],
    [{ domain: { regex: '^[a-m]' } }, ['domain', 'regex', '^[a-m]']],
    [{ domain: { notRegex: '\\d' } }, ['domain', 'not_regex', '\\d']],
    [{ domain: { match: 'news' } }, ['domain', 'match', 'news']],
    [{ domain: { notMatch: 'news' } }, ['domain', 'not_match', 'news']],
    [{ firstSeen: { after: d('2020-01-02T03:04:05Z') } }, ['first_seen', '>', '2020-01-02 03:04:05 +00:00']],
    [{ lostDate: { before: d('2021-06-30T00:00:00.000Z') } }, ['lost_date', '<', '2021-06-30 00:00:00 +00:00']],
    [{ breakdown: { tld: { key: 'edu', count: { gt: 0 } } } }, ['referring_links_tld.edu', '>', 0]],
    [{ breakdown: { country: { key: 'US', count: { gte: 10 } } } }, ['referring_links_countries.US', '>=', 10]],
  ])('%j', (input, expected) => {
    expect(compileReferringDomainFilter(input as never)).toEqual(expected);
  });

  it('joins the fields of one object, and the operators of one field, with "and"', () => {
    expect(compileReferringDomainFilter({ rank: { gt: 100, lt: 500 }, domain: { like: '%a%' } })).toEqual([
      ['domain', 'like', '%a%'],
      'and',
      ['rank', '>', 100],
      'and',
      ['rank', '<', 500],
    ]);
  });

  it('nests and/or trees', () => {
    expect(
      compileReferringDomainFilter({
        rank: { gt: 500 },
        or: [{ domain: { like: '%blog%' } }, { backlinkCount: { gt: 10 }, spamScore: { lt: 5 } }],
      }),
    ).toEqual([
      ['rank', '>', 500],
      'and',
      [['domain', 'like', '%blog%'], 'or', [['backlinks', '>', 10], 'and', ['backlinks_spam_score', '<', 5]]],
    ]);
    expect(compileReferringDomainFilter({ and: [{ rank: { gt: 1 } }, { or: [{ rank: { eq: 3 } }, { rank: { eq: 4 } }] }] })).toEqual([
      ['rank', '>', 1],
      'and',
      [['rank', '=', 3], 'or', ['rank', '=', 4]],
    ]);
  });

  it('leaves out an empty filter', () => {
    expect(compileReferringDomainFilter({})).toBeUndefined();
    expect(compileReferringDomainFilter(null)).toBeUndefined();
  });

  it('orders by up to three rules', () => {
    expect(
      compileReferringDomainOrder([
        { field: 'backlinks', direction: 'desc' },
        { field: 'domain', direction: 'asc' },
      ]),
    ).toEqual(['backlinks,desc', 'domain,asc']);
  });
});

describe('BacklinkFilter → backlinks_filters', () => {
  it.each([
    [{ dofollow: true }, ['dofollow', '=', true]],
    [{ isLost: false }, ['is_lost', '=', false]],
    [{ anchor: { ilike: '%seo%' } }, ['anchor', 'ilike', '%seo%']],
    [{ domainFromRank: { gte: 300 } }, ['domain_from_rank', '>=', 300]],
    [{ linkType: { in: ['anchor', 'image'] } }, ['item_type', 'in', ['anchor', 'image']]],
    [{ attributes: { hasNot: 'nofollow' } }, ['attributes', 'has_not', 'nofollow']],
    [{ firstSeen: { after: d('2024-01-01T00:00:00Z') } }, ['first_seen', '>', '2024-01-01 00:00:00 +00:00']],
  ])('%j', (input, expected) => {
    expect(compileBacklinkFilter('options.backlinksFilter', input as never)).toEqual(expected);
  });
});

describe('IntersectionFilter → filters, with target numbers', () => {
  const targets = ['a.com', 'b.com', 'https://c.com/page'];
  it('names a target as given, normalised, and prefixes its number', () => {
    expect(compileIntersectionFilter({ link: { target: 'WWW.B.com', rank: { gt: 500 } } }, targets)).toEqual(['2.rank', '>', 500]);
    expect(
      compileIntersectionFilter({ link: { target: 'https://c.com/page', breakdown: { tld: { key: 'org', count: { gt: 1 } } } } }, targets),
    ).toEqual(['3.referring_links_tld.org', '>', 1]);
  });

  it('combines intersections_count and several targets', () => {
    expect(
      compileIntersectionFilter(
        {
          intersectionCount: { gte: 2 },
          and: [{ link: { target: 'a.com', backlinkCount: { gt: 1 } } }, { link: { target: 'b.com', backlinkCount: { gt: 2 } } }],
        },
        targets,
      ),
    ).toEqual([['intersections_count', '>=', 2], 'and', ['1.backlinks', '>', 1], 'and', ['2.backlinks', '>', 2]]);
  });

  it('orders by a target’s field, or by intersections_count', () => {
    expect(
      compileIntersectionOrder(
        [
          { field: 'backlinks', target: 'b.com', direction: 'desc' },
          { field: 'intersections_count', direction: 'asc' },
        ],
        targets,
      ),
    ).toEqual(['2.backlinks,desc', 'intersections_count,asc']);
  });
});

describe('rejections: BAD_USER_INPUT naming the argument, the value and what is allowed', () => {
  const nine = { and: Array.from({ length: 9 }, (_, i) => ({ rank: { gt: i } })) };
  it.each([
    ['nine conditions', () => compileReferringDomainFilter(nine), 'filter', /at most 8/],
    [
      'five operators on one field and four more',
      () => compileReferringDomainFilter({ rank: { gt: 1, gte: 1, lt: 9, lte: 9, ne: 5 }, backlinkCount: { gt: 1, lt: 9, ne: 2, eq: 3 } }),
      'filter',
      /at most 8/,
    ],
    ['an empty in list', () => compileReferringDomainFilter({ rank: { in: [] } }), 'filter.rank.in', /non-empty/],
    ['an empty or', () => compileReferringDomainFilter({ or: [] }), 'filter.or', /non-empty/],
    ['an empty alternative', () => compileReferringDomainFilter({ or: [{ rank: { gt: 1 } }, {}] }), 'filter.or', /at least one condition/],
    ['a lookahead regex', () => compileReferringDomainFilter({ domain: { regex: 'a(?=b)' } }), 'filter.domain.regex', /RE2/],
    [
      'a back-reference',
      () => compileReferringDomainFilter({ and: [{ domain: { notRegex: '(a)\\1' } }] }),
      'filter.and[0].domain.notRegex',
      /RE2/,
    ],
    [
      'a regex over 1000 characters',
      () => compileReferringDomainFilter({ domain: { regex: 'a'.repeat(1001) } }),
      'filter.domain.regex',
      /1000/,
    ],
    ['an empty like pattern', () => compileReferringDomainFilter({ domain: { like: '' } }), 'filter.domain.like', /1 to 1000/],
    ['a match without words', () => compileReferringDomainFilter({ domain: { match: '!!' } }), 'filter.domain.match', /word/],
    ['four order rules', () => compileReferringDomainOrder(Array.from({ length: 4 }, () => ({ field: 'rank' }))), 'orderBy', /at most 3/],
    [
      'a target not queried',
      () => compileIntersectionFilter({ link: { target: 'z.com', rank: { gt: 1 } } }, ['a.com', 'b.com']),
      'filter.link.target',
      /a\.com, b\.com/,
    ],
    [
      'an invalid target',
      () => compileIntersectionFilter({ or: [{ link: { target: 'not a domain' } }] }, ['a.com', 'b.com']),
      'filter.or[0].link.target',
      /domain/,
    ],
    [
      'an order without its target',
      () => compileIntersectionOrder([{ field: 'rank' }], ['a.com', 'b.com']),
      'orderBy[0].target',
      /required/,
    ],
    [
      'a target with INTERSECTION_COUNT',
      () => compileIntersectionOrder([{ field: 'intersections_count', target: 'a.com' }], ['a.com', 'b.com']),
      'orderBy[0].target',
      /INTERSECTION_COUNT/,
    ],
    [
      'a comma in a breakdown key',
      () => compileReferringDomainFilter({ breakdown: { tld: { key: 'a,b', count: { gt: 1 } } } }),
      'filter.breakdown.tld.key',
      /comma/,
    ],
    [
      'an empty breakdown key',
      () => compileReferringDomainFilter({ breakdown: { type: { key: '', count: { eq: 0 } } } }),
      'filter.breakdown.type.key',
      /1 to 100/,
    ],
    [
      'an empty linkType list',
      () => compileBacklinkFilter('options.backlinksFilter', { linkType: { notIn: [] } }),
      'options.backlinksFilter.linkType.notIn',
      /non-empty/,
    ],
  ])('%s', (_name, run, argument, message) => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraphQLError);
    const e = error as GraphQLError;
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(e.extensions.allowed).toEqual(expect.any(String));
    expect(`${e.message} ${String(e.extensions.allowed)}`).toMatch(message);
  });
});
