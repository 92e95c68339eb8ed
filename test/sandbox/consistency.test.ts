import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/server.js';
import { allReferringDomains, callSandbox, resultOf, startSandbox } from '../helpers/sandbox.js';

let sandbox: Sandbox;
let url: string;
beforeAll(async () => ({ sandbox, url } = await startSandbox()));
afterAll(() => sandbox.close());

const sum = (items: any[], key: string) => items.reduce((t, i) => t + (i[key] ?? 0), 0);
function mergeMaps(items: any[], key: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) for (const [k, v] of Object.entries((i[key] ?? {}) as Record<string, number>)) out[k] = (out[k] ?? 0) + v;
  return out;
}

describe('the endpoints agree with each other', () => {
  it.each([
    ['backlinko.com', {}],
    ['explodingtopics.com', { backlinks_status_type: 'all', include_subdomains: false }],
    ['https://example.com/blog/', { backlinks_status_type: 'lost' }],
    ['ahrefs.com', { exclude_internal_backlinks: false, include_indirect_links: false, backlinks_filters: ['dofollow', '=', true] }],
  ])('summary of %s matches its referring domains under %o', async (target, options) => {
    const task = { target, internal_list_limit: 1000, ...options };
    const summary = await resultOf(url, 'summary', task);
    const items = await allReferringDomains(url, task, 250);
    expect(summary.referring_main_domains).toBe(items.length);
    expect((await resultOf(url, 'referring_domains', { ...task, limit: 1 })).total_count).toBe(items.length);
    for (const key of [
      'backlinks',
      'referring_domains',
      'referring_domains_nofollow',
      'referring_main_domains_nofollow',
      'referring_pages',
      'referring_pages_nofollow',
      'broken_backlinks',
      'broken_pages',
    ]) {
      expect(summary[key], key).toBe(sum(items, key));
    }
    for (const key of ['referring_links_tld', 'referring_links_types', 'referring_links_countries', 'referring_links_semantic_locations']) {
      expect(summary[key], key).toEqual(mergeMaps(items, key));
    }
  });

  it('an intersection is exactly the common referring domains, minus those of the exclusions', async () => {
    const targets = ['backlinko.com', 'ahrefs.com', 'moz.com'];
    const exclude = ['semrush.com'];
    const sets = await Promise.all(targets.map(async (t) => new Set((await allReferringDomains(url, { target: t })).map((i) => i.domain))));
    const excluded = new Set((await allReferringDomains(url, { target: exclude[0] })).map((i) => i.domain));
    const expected = [...(sets[0] ?? [])].filter((d) => sets.every((s) => s.has(d)) && !excluded.has(d)).sort();
    const r = await resultOf(url, 'domain_intersection', {
      targets: { 1: targets[0], 2: targets[1], 3: targets[2] },
      exclude_targets: exclude,
      limit: 1000,
    });
    expect(r.total_count).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(0);
    expect(r.items.map((i: any) => i.domain_intersection['1'].target).sort()).toEqual(expected);
    for (const item of r.items) expect(item.summary.intersections_count).toBe(3);

    const partial = await resultOf(url, 'domain_intersection', {
      targets: { 1: targets[0], 2: targets[1] },
      intersection_mode: 'partial',
      limit: 1000,
    });
    const union = new Set([...(sets[0] ?? []), ...(sets[1] ?? [])]);
    expect(partial.total_count).toBe(union.size);
    for (const item of partial.items) {
      const present = Object.keys(item.domain_intersection);
      expect(item.summary.intersections_count).toBe(present.length);
      const domain = item.domain_intersection[present[0] ?? '']?.target;
      expect(present.map(Number)).toEqual([1, 2].filter((n) => sets[n - 1]?.has(domain)));
    }
  });

  it('the entries of an intersection equal the referring-domain items of each target', async () => {
    const r = await resultOf(url, 'domain_intersection', { targets: { 1: 'backlinko.com', 2: 'ahrefs.com' }, limit: 3 });
    for (const [n, target] of [
      ['1', 'backlinko.com'],
      ['2', 'ahrefs.com'],
    ] as const) {
      const items = await allReferringDomains(url, { target });
      for (const item of r.items) {
        const entry = item.domain_intersection[n];
        const same = items.find((i) => i.domain === entry.target);
        expect(entry.backlinks).toBe(same.backlinks);
        expect(entry.rank).toBe(same.rank);
      }
    }
  });
});

describe('options change results the way the docs say', () => {
  it('status: all = live + lost; include_subdomains and include_indirect_links only remove links', async () => {
    const t = { target: 'explodingtopics.com', internal_list_limit: 1000 };
    const [live, lost, all, noSub, direct] = await Promise.all([
      resultOf(url, 'summary', t),
      resultOf(url, 'summary', { ...t, backlinks_status_type: 'lost' }),
      resultOf(url, 'summary', { ...t, backlinks_status_type: 'all' }),
      resultOf(url, 'summary', { ...t, include_subdomains: false }),
      resultOf(url, 'summary', { ...t, include_indirect_links: false }),
    ]);
    expect(all.backlinks).toBe(live.backlinks + lost.backlinks);
    expect(lost.backlinks).toBeGreaterThan(0);
    expect(noSub.backlinks).toBeLessThan(live.backlinks);
    expect(direct.referring_links_types.redirect).toBeUndefined();
    expect(direct.referring_links_types.canonical).toBeUndefined();
    expect(live.referring_links_types.redirect).toBeGreaterThan(0);
  });

  it('exclude_internal_backlinks: false adds links from the target’s own domain', async () => {
    const withInternal = await allReferringDomains(url, { target: 'backlinko.com', exclude_internal_backlinks: false });
    const without = await allReferringDomains(url, { target: 'backlinko.com' });
    expect(withInternal.map((i) => i.domain)).toContain('backlinko.com');
    expect(without.map((i) => i.domain)).not.toContain('backlinko.com');
  });

  it('rank_scale one_hundred divides ranks by ten', async () => {
    const [a, b] = await Promise.all([
      resultOf(url, 'summary', { target: 'backlinko.com' }),
      resultOf(url, 'summary', { target: 'backlinko.com', rank_scale: 'one_hundred' }),
    ]);
    expect(b.rank).toBe(Math.round(a.rank / 10));
  });

  it('internal_list_limit caps every breakdown map, largest entries kept', async () => {
    const [full, capped] = await Promise.all([
      resultOf(url, 'summary', { target: 'ahrefs.com', internal_list_limit: 1000 }),
      resultOf(url, 'summary', { target: 'ahrefs.com', internal_list_limit: 2 }),
    ]);
    expect(Object.keys(capped.referring_links_tld)).toHaveLength(2);
    const top2 = Object.entries(full.referring_links_tld as Record<string, number>)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 2);
    expect(Object.entries(capped.referring_links_tld).sort((x: any, y: any) => y[1] - x[1])).toEqual(top2);
  });

  it('tag is echoed in data', async () => {
    const { body } = await callSandbox(url, 'summary', { target: 'a.com', tag: 'my-tag' });
    expect(body.tasks[0].data).toMatchObject({ api: 'backlinks', function: 'summary', target: 'a.com', tag: 'my-tag' });
  });
});

describe('filters and order rules are applied', () => {
  let all: any[];
  beforeAll(async () => {
    all = await allReferringDomains(url, { target: 'ahrefs.com' });
    expect(all.length).toBeGreaterThan(100);
  });
  const filtered = (filters: unknown, order_by?: string[]) =>
    allReferringDomains(url, { target: 'ahrefs.com', filters, ...(order_by ? { order_by } : {}) });
  const domains = (items: any[]) => items.map((i) => i.domain).sort();

  const medianRank = () => [...all].map((i) => i.rank).sort((a, b) => a - b)[Math.floor(all.length / 2)];
  const someDomains = () => all.slice(3, 6).map((i) => i.domain);
  const cases: [string, () => unknown, (i: any) => boolean][] = [
    ['<', () => ['rank', '<', medianRank()], (i) => i.rank < medianRank()],
    ['<=', () => ['rank', '<=', medianRank()], (i) => i.rank <= medianRank()],
    ['>', () => ['rank', '>', medianRank()], (i) => i.rank > medianRank()],
    ['>=', () => ['rank', '>=', medianRank()], (i) => i.rank >= medianRank()],
    ['=', () => ['backlinks', '=', 1], (i) => i.backlinks === 1],
    ['<>', () => ['backlinks', '<>', 1], (i) => i.backlinks !== 1],
    ['in (number)', () => ['backlinks', 'in', [1, 2, 3]], (i) => [1, 2, 3].includes(i.backlinks)],
    ['not_in (number)', () => ['backlinks', 'not_in', [1, 2, 3]], (i) => ![1, 2, 3].includes(i.backlinks)],
    ['= (string)', () => ['domain', '=', all[0].domain], (i) => i.domain === all[0].domain],
    ['<> (string)', () => ['domain', '<>', all[0].domain], (i) => i.domain !== all[0].domain],
    ['in (string)', () => ['domain', 'in', someDomains()], (i) => someDomains().includes(i.domain)],
    ['not_in (string)', () => ['domain', 'not_in', someDomains()], (i) => !someDomains().includes(i.domain)],
    ['like', () => ['domain', 'like', '%blog%'], (i) => i.domain.includes('blog')],
    ['not_like', () => ['domain', 'not_like', '%.com'], (i) => !i.domain.endsWith('.com')],
    ['ilike', () => ['domain', 'ilike', '%BLOG%'], (i) => i.domain.includes('blog')],
    ['not_ilike', () => ['domain', 'not_ilike', 'A%'], (i) => !i.domain.startsWith('a')],
    ['match', () => ['domain', 'match', 'com'], (i) => i.domain.split(/\W+/).includes('com')],
    ['not_match', () => ['domain', 'not_match', 'com'], (i) => !i.domain.split(/\W+/).includes('com')],
    ['regex', () => ['domain', 'regex', '^[a-m]'], (i) => /^[a-m]/.test(i.domain)],
    ['not_regex', () => ['domain', 'not_regex', '(org|net)$'], (i) => !/(org|net)$/.test(i.domain)],
    ['< (time)', () => ['first_seen', '<', '2020-01-01 00:00:00 +00:00'], (i) => i.first_seen < '2020-01-01'],
    ['> (time)', () => ['first_seen', '>', '2020-01-01 00:00:00 +00:00'], (i) => i.first_seen > '2020-01-01'],
    ['map key', () => ['referring_links_tld.com', '>', 0], (i) => (i.referring_links_tld?.com ?? 0) > 0],
    [
      'nested and/or',
      () => [['rank', '>', 100], 'and', [['domain', 'like', '%a%'], 'or', ['backlinks', '>=', 5]]],
      (i) => i.rank > 100 && (i.domain.includes('a') || i.backlinks >= 5),
    ],
    [
      'and binds tighter than or',
      () => [['rank', '>', 900], 'or', ['backlinks', '>', 3], 'and', ['rank', '<', 200]],
      (i) => i.rank > 900 || (i.backlinks > 3 && i.rank < 200),
    ],
  ];

  it.each(cases)('%s', async (_name, filter, predicate) => {
    const expected = domains(all.filter(predicate));
    expect(domains(await filtered(filter()))).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(all.length + (_name.startsWith('not') || _name.startsWith('<>') ? 1 : 0));
  });

  it('backlinks_filters: boolean and array operators change what is counted', async () => {
    const base = { target: 'ahrefs.com', internal_list_limit: 1000 };
    const [dofollow, nofollow, has, hasNot] = await Promise.all([
      resultOf(url, 'summary', { ...base, backlinks_filters: ['dofollow', '=', true] }),
      resultOf(url, 'summary', { ...base, backlinks_filters: ['dofollow', '<>', true] }),
      resultOf(url, 'summary', { ...base, backlinks_filters: ['attributes', 'has', 'nofollow'] }),
      resultOf(url, 'summary', { ...base, backlinks_filters: ['attributes', 'has_not', 'nofollow'] }),
    ]);
    expect(dofollow.referring_pages_nofollow).toBe(0);
    expect(nofollow.referring_pages_nofollow).toBe(nofollow.referring_pages);
    expect(has.backlinks).toBe(nofollow.backlinks);
    expect(hasNot.backlinks).toBe(dofollow.backlinks);
    expect(hasNot.referring_links_attributes?.nofollow).toBeUndefined();
  });

  it('orders by up to three rules, with nulls last and a stable tie-break', async () => {
    const byBacklinks = await filtered(null, ['backlinks,desc']);
    for (let i = 1; i < byBacklinks.length; i++) expect(byBacklinks[i - 1].backlinks).toBeGreaterThanOrEqual(byBacklinks[i].backlinks);
    const three = await filtered(null, ['referring_pages,asc', 'rank,desc', 'domain,asc']);
    const sorted = [...three].sort((a, b) => a.referring_pages - b.referring_pages || b.rank - a.rank || (a.domain < b.domain ? -1 : 1));
    expect(three.map((i) => i.domain)).toEqual(sorted.map((i) => i.domain));
    const byLost = await filtered(null, ['lost_date,desc']);
    const firstNull = byLost.findIndex((i) => i.lost_date === null);
    expect(byLost.slice(firstNull).every((i) => i.lost_date === null)).toBe(true);
  });

  it('pagination windows tile the whole list with no gap or repeat', async () => {
    const order = ['backlinks,desc'];
    const whole = await allReferringDomains(url, { target: 'ahrefs.com', order_by: order }, 1000);
    const tiled = await allReferringDomains(url, { target: 'ahrefs.com', order_by: order }, 7);
    expect(tiled.map((i) => i.domain)).toEqual(whole.map((i) => i.domain));
    expect(new Set(tiled.map((i) => i.domain)).size).toBe(tiled.length);
  });

  it('filters domain_intersection on a numbered target and on intersections_count', async () => {
    const base = { targets: { 1: 'backlinko.com', 2: 'ahrefs.com' }, limit: 1000 };
    const everything = await resultOf(url, 'domain_intersection', base);
    const r = await resultOf(url, 'domain_intersection', { ...base, filters: ['2.rank', '>', 500], order_by: ['1.backlinks,desc'] });
    expect(r.total_count).toBe(everything.items.filter((i: any) => i.domain_intersection['2'].rank > 500).length);
    for (let i = 1; i < r.items.length; i++)
      expect(r.items[i - 1].domain_intersection['1'].backlinks).toBeGreaterThanOrEqual(r.items[i].domain_intersection['1'].backlinks);
  });

  it.each([
    ['an unknown field', { filters: ['nope', '=', 1] }],
    ['an operator the type lacks', { filters: ['rank', 'like', '%1%'] }],
    ['a time operator it lacks', { filters: ['first_seen', '=', '2020-01-01 00:00:00 +00:00'] }],
    ['a value of the wrong type', { filters: ['rank', '>', '5'] }],
    ['an empty in list', { filters: ['domain', 'in', []] }],
    ['nine conditions', { filters: Array.from({ length: 17 }, (_, i) => (i % 2 ? 'and' : ['rank', '>', i])) }],
    ['a lookahead regex (not RE2)', { filters: ['domain', 'regex', 'a(?=b)'] }],
    ['a regex over 1000 characters', { filters: ['domain', 'regex', 'a'.repeat(1001)] }],
    ['four order rules', { order_by: ['rank,desc', 'backlinks,desc', 'domain,asc', 'referring_pages,asc'] }],
    ['ordering on a map key', { order_by: ['referring_links_tld.com,desc'] }],
    ['a limit over 1000', { limit: 1001 }],
    ['an unknown parameter', { limt: 10 }],
    ['an invalid target', { target: 'not a domain' }],
  ])('refuses %s with 40501', async (_name, extra) => {
    const { body } = await callSandbox(url, 'referring_domains', { target: 'a.com', ...extra });
    expect(body.tasks[0].status_code).toBe(40501);
    expect(body.tasks[0].cost).toBe(0);
  });
});
