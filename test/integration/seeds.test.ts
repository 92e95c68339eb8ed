import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useMockUpstreamApp } from '../helpers/app.js';

/**
 * The upstream's own documented example responses (shared/seeds: summary of explodingtopics.com, referring domains
 * of backlinko.com) come back through GraphQL with every value mapped. The table below is the specification of that
 * mapping; the test also fails when the fixture holds a field the table does not cover.
 */

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const summaryEnvelope = fixture('summary-explodingtopics.com.json');
const referringEnvelope = fixture('referring-domains-backlinko.com.json');

const PROFILE: readonly (readonly [string, string])[] = [
  ['rank', 'rank'],
  ['backlinkCount', 'backlinks'],
  ['spamScore', 'backlinks_spam_score'],
  ['firstSeen', 'first_seen'],
  ['lostDate', 'lost_date'],
  ['brokenBacklinkCount', 'broken_backlinks'],
  ['brokenPageCount', 'broken_pages'],
  ['referringDomainCount', 'referring_domains'],
  ['referringDomainNofollowCount', 'referring_domains_nofollow'],
  ['referringMainDomainCount', 'referring_main_domains'],
  ['referringMainDomainNofollowCount', 'referring_main_domains_nofollow'],
  ['referringIpCount', 'referring_ips'],
  ['referringSubnetCount', 'referring_subnets'],
  ['referringPageCount', 'referring_pages'],
  ['referringPageNofollowCount', 'referring_pages_nofollow'],
];
const BREAKDOWN: readonly (readonly [string, string])[] = [
  ['tlds', 'referring_links_tld'],
  ['types', 'referring_links_types'],
  ['attributes', 'referring_links_attributes'],
  ['platformTypes', 'referring_links_platform_types'],
  ['semanticLocations', 'referring_links_semantic_locations'],
  ['countries', 'referring_links_countries'],
];
const SUMMARY_ONLY: readonly (readonly [string, string])[] = [
  ['crawledPageCount', 'crawled_pages'],
  ['internalLinkCount', 'internal_links_count'],
  ['externalLinkCount', 'external_links_count'],
];
const INFO: readonly (readonly [string, string])[] = [
  ['server', 'server'],
  ['cms', 'cms'],
  ['platformTypes', 'platform_type'],
  ['ipAddress', 'ip_address'],
  ['country', 'country'],
  ['isIp', 'is_ip'],
  ['spamScore', 'target_spam_score'],
];

const PROFILE_SELECTION = `${PROFILE.map(([f]) => f).join(' ')} breakdown { ${BREAKDOWN.map(([f]) => `${f} { key count }`).join(' ')} }`;

function expected(wireKey: string, value: unknown): unknown {
  if (wireKey === 'first_seen' || wireKey === 'lost_date') {
    return typeof value === 'string' ? new Date(value.replace(' ', 'T').replace(' +00:00', 'Z')).toISOString() : null;
  }
  return value;
}

function expectProfile(actual: Record<string, any>, wire: Record<string, any>): void {
  for (const [field, key] of PROFILE) expect(actual[field], field).toEqual(expected(key, wire[key]));
  for (const [field, key] of BREAKDOWN) {
    const entries = Object.entries((wire[key] ?? {}) as Record<string, number>).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    expect(actual.breakdown[field], field).toEqual(entries.map(([k, count]) => ({ key: k, count })));
  }
}

const env = useMockUpstreamApp();

describe('the documented example responses, through GraphQL', () => {
  it('maps every value of the summary of explodingtopics.com', async () => {
    env.upstream.expect({ endpoint: 'summary', reply: summaryEnvelope });
    const { body } = await env.app.execute(`{ target(target: "explodingtopics.com", options: { status: ALL }) {
      target ${PROFILE_SELECTION} ${SUMMARY_ONLY.map(([f]) => f).join(' ')} info { ${INFO.map(([f]) => f).join(' ')} } } }`);
    expect(body.errors).toBeUndefined();
    const wire = summaryEnvelope.tasks[0].result[0];
    const target = body.data.target;
    expect(target.target).toBe(wire.target);
    expectProfile(target, wire);
    for (const [field, key] of SUMMARY_ONLY) expect(target[field], field).toBe(wire[key]);
    for (const [field, key] of INFO) expect(target.info[field], field).toEqual(wire.info[key]);
    const covered = new Set(['target', 'info', ...[...PROFILE, ...BREAKDOWN, ...SUMMARY_ONLY].map(([, k]) => k)]);
    expect(Object.keys(wire).filter((k) => !covered.has(k))).toEqual([]);
    expect(Object.keys(wire.info).filter((k) => !INFO.some(([, w]) => w === k))).toEqual([]);
  });

  it('maps every value of the referring domains of backlinko.com', async () => {
    env.upstream.expect({ endpoint: 'referring_domains', match: (t) => t.limit === 5 && t.offset === 0, reply: referringEnvelope });
    const { body } = await env.app.execute(`{ target(target: "backlinko.com") { referringDomains(first: 5) {
      totalCount pageInfo { hasNextPage } nodes { domain ${PROFILE_SELECTION} target { target } } } } }`);
    expect(body.errors).toBeUndefined();
    const result = referringEnvelope.tasks[0].result[0];
    const connection = body.data.target.referringDomains;
    expect(connection.totalCount).toBe(result.total_count);
    expect(connection.pageInfo.hasNextPage).toBe(true);
    expect(connection.nodes).toHaveLength(result.items.length);
    result.items.forEach((item: Record<string, any>, i: number) => {
      const node = connection.nodes[i];
      expect(node.domain).toBe(item.domain);
      expect(node.target.target).toBe('backlinko.com');
      expectProfile(node, item);
      const covered = new Set(['type', 'domain', ...[...PROFILE, ...BREAKDOWN].map(([, k]) => k)]);
      expect(Object.keys(item).filter((k) => !covered.has(k))).toEqual([]);
    });
  });
});
