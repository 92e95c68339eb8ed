import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_ENDPOINTS, responseErrors } from '../helpers/openapi.js';
import { callSandbox, startSandbox } from '../helpers/sandbox.js';
import type { Sandbox } from '../../src/sandbox/server.js';

/** Every sandbox response validates against the response schemas of the official contract. */

let sandbox: Sandbox;
let url: string;
// The real clock pinned (2026-12-01), so that the dates of the new/lost tasks stay in their range.
beforeAll(async () => ({ sandbox, url } = await startSandbox({ clock: () => Date.UTC(2026, 11, 1, 12) })));
afterAll(() => sandbox.close());

const BULK_ENDPOINTS = CONTRACT_ENDPOINTS.filter((e) => e.startsWith('bulk_'));

const OPTION_SPREAD: Record<string, unknown>[] = [
  {},
  { backlinks_status_type: 'all', include_subdomains: false, internal_list_limit: 1 },
  { backlinks_status_type: 'lost', include_indirect_links: false, exclude_internal_backlinks: false, rank_scale: 'one_hundred' },
  { backlinks_filters: [['dofollow', '=', true], 'and', ['domain_from_rank', '>', 100]], internal_list_limit: 1000, tag: 'spread' },
];

const TASKS: Record<string, Record<string, unknown>[]> = {
  summary: OPTION_SPREAD.flatMap((o) => [
    { target: 'backlinko.com', ...o },
    { target: 'https://example.com/page/', ...o },
    { target: 'www.blog.example.org', ...o },
  ]),
  referring_domains: OPTION_SPREAD.flatMap((o) => [
    { target: 'backlinko.com', limit: 50, ...o },
    {
      target: 'explodingtopics.com',
      limit: 1000,
      offset: 10,
      filters: [['rank', '>', 100], 'or', ['referring_links_tld.com', '>=', 1]],
      order_by: ['backlinks,desc', 'domain,asc'],
      ...o,
    },
  ]),
  domain_intersection: OPTION_SPREAD.flatMap((o) => [
    { targets: { 1: 'backlinko.com', 2: 'ahrefs.com' }, limit: 20, ...o },
    {
      targets: { 1: 'a.com', 2: 'b.com', 3: 'c.com' },
      exclude_targets: ['d.com'],
      intersection_mode: 'partial',
      order_by: ['1.backlinks,desc'],
      filters: ['intersections_count', '>=', 2],
      ...o,
    },
  ]),
  bulk_ranks: [
    { targets: ['a.com', 'https://b.com/x'], rank_scale: 'one_hundred' },
    { targets: ['blog.a.com', 'www.b.com', '93.184.216.34', 'a.com'], rank_scale: 'one_thousand', tag: 'ranks' },
  ],
  bulk_backlinks: [{ targets: ['a.com', 'www.b.com', 'blog.c.co.uk', 'https://d.com/page?x=1', '8.8.8.8'] }],
  bulk_spam_score: [{ targets: ['a.com', 'shop.b.com', 'https://c.com/'] }],
  bulk_referring_domains: [{ targets: ['a.com', 'blog.b.com', 'https://c.com/x', '8.8.8.8'], tag: 'rd' }],
  bulk_new_lost_backlinks: [
    { targets: ['a.com', 'blog.b.com', 'https://c.com/x'], date_from: '2026-01-01' },
    { targets: ['a.com'], date_from: '2025-12-01' },
    { targets: ['backlinko.com', '8.8.8.8'] },
  ],
  bulk_new_lost_referring_domains: [
    { targets: ['a.com', 'blog.b.com'], date_from: '2026-06-01' },
    { targets: ['backlinko.com', 'https://c.com/x'], date_from: '2026-12-01', tag: 'nl' },
    { targets: ['a.com'] },
  ],
  bulk_pages_summary: [
    { targets: ['https://a.com/', 'https://a.com/blog'] },
    { targets: ['a.com', 'blog.a.com', 'https://www.b.com/x', '8.8.8.8'], include_subdomains: false, rank_scale: 'one_hundred' },
  ],
};

describe.each(['dataforseo', 'aisa'] as const)('sandbox responses through the %s wire', (wire) => {
  it('cover every live endpoint of the contract', () => {
    expect(Object.keys(TASKS).sort()).toEqual([...CONTRACT_ENDPOINTS].sort());
  });

  it.each(Object.entries(TASKS))('%s: every answer validates and succeeds', async (endpoint, tasks) => {
    for (const task of tasks) {
      const { status, body } = await callSandbox(url, endpoint, task, wire);
      expect(status).toBe(200);
      expect(body.tasks[0].status_message).toBe('Ok.');
      expect(responseErrors(endpoint, body), JSON.stringify(task)).toEqual([]);
    }
  });

  it('task errors validate too', async () => {
    const { body } = await callSandbox(url, 'referring_domains', { target: 'a.com', limit: 5000 }, wire);
    expect(body.tasks[0].status_code).toBe(40501);
    expect(responseErrors('referring_domains', body)).toEqual([]);
  });

  const thousandAndOne = Array.from({ length: 1001 }, (_, i) => `https://a.com/p${i}`);
  const roots101 = Array.from({ length: 101 }, (_, i) => `site${i}.com`);
  it.each([
    ...BULK_ENDPOINTS.map((e) => [e, '1001 targets', { targets: thousandAndOne }] as const),
    ...BULK_ENDPOINTS.map((e) => [e, 'no target', { targets: [] }] as const),
    ['bulk_pages_summary', '101 root domains', { targets: roots101 }],
    ['bulk_new_lost_backlinks', 'date_from before today − 1 year', { targets: ['a.com'], date_from: '2025-11-30' }],
    ['bulk_new_lost_referring_domains', 'date_from not a calendar date', { targets: ['a.com'], date_from: '2026-02-30' }],
    ['bulk_ranks', 'an unknown rank_scale', { targets: ['a.com'], rank_scale: 'one_ten' }],
    ['bulk_backlinks', 'a field it does not take', { targets: ['a.com'], date_from: '2026-11-01' }],
  ] as const)('%s refuses %s with 40501, and the refusal validates', async (endpoint, _name, task) => {
    const { body } = await callSandbox(url, endpoint, task, wire);
    expect(body.tasks[0].status_code).toBe(40501);
    expect(body.tasks[0].result).toBeNull();
    expect(responseErrors(endpoint, body)).toEqual([]);
  });
});
