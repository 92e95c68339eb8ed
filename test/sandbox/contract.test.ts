import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_ENDPOINTS, responseErrors } from '../helpers/openapi.js';
import { callSandbox, startSandbox } from '../helpers/sandbox.js';
import type { Sandbox } from '../../src/sandbox/server.js';

/** Every sandbox response validates against the response schemas of the official contract. */

let sandbox: Sandbox;
let url: string;
beforeAll(async () => ({ sandbox, url } = await startSandbox()));
afterAll(() => sandbox.close());

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
  bulk_ranks: [{ targets: ['a.com', 'https://b.com/x'], rank_scale: 'one_hundred' }],
  bulk_backlinks: [{ targets: ['a.com', 'www.b.com'] }],
  bulk_spam_score: [{ targets: ['a.com'] }],
  bulk_referring_domains: [{ targets: ['a.com', 'blog.b.com'] }],
  bulk_new_lost_backlinks: [{ targets: ['a.com'], date_from: '2026-01-01' }],
  bulk_new_lost_referring_domains: [{ targets: ['a.com'], date_from: '2025-06-01' }],
  bulk_pages_summary: [{ targets: ['https://a.com/', 'https://a.com/blog'] }],
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
});
