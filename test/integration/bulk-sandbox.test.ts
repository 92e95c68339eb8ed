import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeTarget, rootDomainOf } from '../../src/dataforseo/target.js';
import { callSandbox, useSandboxApp } from '../helpers/sandbox.js';

/**
 * Through GraphQL, against the sandbox: Target.bulkMetrics equals the summary fields of the same target for a root
 * domain, a page or an IP address, and of its root domain for a subdomain (the one documented difference), on both
 * rank scales; newAndLost is what the bulk endpoints answer for the day it reports; and the default month back finds
 * changes for most targets. Counted at the sandbox: one call per bulk endpoint and parameter set.
 */

// The sandbox's real clock pinned for the file: a run across midnight cannot move its date_from range. The app
// sends 16 calls at a time, so that each call's timeout measures that call, not the queue inside the sandbox.
const CLOCK_MS = Date.now();
const env = useSandboxApp({ clock: () => CLOCK_MS, maxConcurrency: 1000, maxPerMinute: 1_000_000 }, 'dataforseo', {
  limits: { maxConcurrency: 16 },
});

function drawTargets() {
  const roots = new Set<string>();
  const subdomains = new Set<string>();
  for (const raw of fc.sample(fc.domain(), { seed: 121, numRuns: 1000 })) {
    let host: string;
    try {
      host = normalizeTarget(raw).value;
    } catch {
      continue;
    }
    const root = rootDomainOf(host);
    if (roots.size < 200) roots.add(root);
    if (host !== root && roots.has(root) && subdomains.size < 20) subdomains.add(host);
  }
  return { roots: [...roots], subdomains: [...subdomains] };
}
const { roots: ROOTS, subdomains: DRAWN_SUBDOMAINS } = drawTargets();
const SUBDOMAINS = [...DRAWN_SUBDOMAINS, ...ROOTS.slice(0, 10).map((r) => `shop.${r}`)];
const PAGES = ROOTS.slice(10, 30).map((r, i) => `https://${r}/${i % 2 ? 'blog/' : 'p?id=7'}`);
const IPS = ['93.184.216.34'];
const SPELLINGS = ROOTS.slice(30, 35).flatMap((r) => [`www.${r}`, `https://${r.toUpperCase()}`]);
const TARGETS = [...ROOTS, ...SUBDOMAINS, ...PAGES, ...IPS, ...SPELLINGS];
/** The targets asked on the 0–100 scale too: their roots, then a subdomain, a page, an IP address, a spelling of each. */
const SOME = [...new Set([...ROOTS.slice(0, 40), ...SUBDOMAINS.slice(0, 5), ...PAGES.slice(0, 5), ...IPS, ...SPELLINGS.slice(0, 4)])];
const SOME_ANSWERED = [...new Set(SOME.map((t) => answeredAs(t)))];

const FIGURES = [
  'rank',
  'backlinkCount',
  'referringDomainCount',
  'referringDomainNofollowCount',
  'referringMainDomainCount',
  'referringMainDomainNofollowCount',
] as const;
const NEW_AND_LOST = `since newBacklinkCount lostBacklinkCount newReferringDomainCount lostReferringDomainCount
  newReferringMainDomainCount lostReferringMainDomainCount`;
const QUERY = `query Bulk($targets: [String!]!, $some: [String!]!, $since: Date) {
  thousand: targets(targets: $targets) {
    target ${FIGURES.join(' ')} info { spamScore }
    bulkMetrics { ${FIGURES.join(' ')} spamScore month: newAndLost { ${NEW_AND_LOST} } year: newAndLost(since: $since) { ${NEW_AND_LOST} } }
  }
  hundred: targets(targets: $some, options: { rankScale: ONE_HUNDRED }) { target rank bulkMetrics { rank } }
}`;

/** The target whose summary a bulk figure equals: a subdomain's root domain, every other target itself. */
function answeredAs(target: string): string {
  const n = normalizeTarget(target);
  return n.kind === 'domain' && !/^\d+\.\d+\.\d+\.\d+$/.test(n.host) ? rootDomainOf(n.host) : n.value;
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

describe('bulkMetrics through GraphQL agrees with the summary fields', () => {
  let data: { thousand: any[]; hundred: any[] };
  let calls: Record<string, number>;
  const yearBack = (() => {
    const d = new Date(CLOCK_MS);
    return day(Date.UTC(d.getUTCFullYear() - 1, d.getUTCMonth(), d.getUTCDate() + 1));
  })();

  beforeAll(async () => {
    expect(ROOTS).toHaveLength(200);
    env.sandbox.resetStats();
    const { body } = await env.app.execute(QUERY, { targets: TARGETS, some: [...SOME, ...SOME_ANSWERED], since: yearBack });
    expect(body.errors, JSON.stringify(body.errors?.slice(0, 3))).toBeUndefined();
    data = body.data;
    calls = env.sandbox.stats().callsByEndpoint;
  });

  it('every target answers in order, as normalised', () => {
    expect(data.thousand.map((t) => t.target)).toEqual(TARGETS.map((t) => normalizeTarget(t).value));
  });

  it('root domains, pages and IP addresses: every bulk figure is the summary’s, spamScore is info.spamScore', () => {
    const summaryOf = new Map(data.thousand.map((t) => [t.target, t]));
    const hundredOf = new Map(data.hundred.map((t) => [t.target, t]));
    TARGETS.forEach((asked, i) => {
      const got = data.thousand[i];
      const same = summaryOf.get(answeredAs(asked));
      expect(same, asked).toBeDefined();
      expect({ ...Object.fromEntries(FIGURES.map((f) => [f, got.bulkMetrics[f]])), spamScore: got.bulkMetrics.spamScore }, asked).toEqual({
        ...Object.fromEntries(FIGURES.map((f) => [f, same[f]])),
        spamScore: same.info.spamScore,
      });
    });
    SOME.forEach((asked, i) => expect(data.hundred[i].bulkMetrics.rank, asked).toBe(hundredOf.get(answeredAs(asked))?.rank));
    expect(new Set(data.hundred.map((t) => t.rank)).size).toBeGreaterThan(10);
    expect(data.thousand.filter((t) => t.backlinkCount > 0).length).toBeGreaterThan(TARGETS.length * 0.9);
  });

  it('subdomains differ from their own summary: they are rolled up to the root domain', () => {
    const differs = SUBDOMAINS.filter((sub) => {
      const t = data.thousand.find((x) => x.target === sub);
      return t.bulkMetrics.backlinkCount !== t.backlinkCount;
    });
    expect(differs.length).toBeGreaterThan(SUBDOMAINS.length / 2);
  });

  it('newAndLost is what the bulk endpoints answer for the day it reports, by default one month back', async () => {
    const now = new Date();
    // The same day of last month, or its last day when it has none.
    const lastOfLastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0)).getUTCDate();
    const monthBack = day(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, Math.min(now.getUTCDate(), lastOfLastMonth)));
    for (const [alias, since] of [
      ['month', monthBack],
      ['year', yearBack],
    ] as const) {
      const reported = new Set(data.thousand.map((t) => t.bulkMetrics[alias].since));
      // Unless the run crossed midnight, the default is today − 1 month.
      if (alias === 'month' && day(CLOCK_MS) === day(now.getTime())) expect([...reported]).toEqual([since]);
      const dateFrom = [...reported][0];
      expect(reported.size).toBe(1);
      const wire = async (endpoint: string) => {
        const { body } = await callSandbox(env.url, endpoint, {
          targets: TARGETS.map((t) => normalizeTarget(t).value),
          date_from: dateFrom,
        });
        expect(body.tasks[0].status_code).toBe(20000);
        return body.tasks[0].result[0].items as any[];
      };
      const [backlinks, domains] = await Promise.all([wire('bulk_new_lost_backlinks'), wire('bulk_new_lost_referring_domains')]);
      TARGETS.forEach((asked, i) => {
        const { since: _since, ...got } = data.thousand[i].bulkMetrics[alias];
        expect(got, `${asked} ${alias}`).toEqual({
          newBacklinkCount: backlinks[i].new_backlinks,
          lostBacklinkCount: backlinks[i].lost_backlinks,
          newReferringDomainCount: domains[i].new_referring_domains,
          lostReferringDomainCount: domains[i].lost_referring_domains,
          newReferringMainDomainCount: domains[i].new_referring_main_domains,
          lostReferringMainDomainCount: domains[i].lost_referring_main_domains,
        });
      });
    }
  });

  it('a new user sees changes: most domains gained and lost links in the default month', () => {
    const roots = data.thousand.slice(0, ROOTS.length).map((t) => t.bulkMetrics.month);
    const share = (key: string) => roots.filter((m) => m[key] > 0).length / roots.length;
    for (const key of ['newBacklinkCount', 'lostBacklinkCount', 'newReferringDomainCount', 'newReferringMainDomainCount']) {
      expect(share(key), key).toBeGreaterThanOrEqual(0.95);
    }
    for (const key of ['lostReferringDomainCount', 'lostReferringMainDomainCount']) expect(share(key), key).toBeGreaterThanOrEqual(0.75);
  });

  it('costs one call per bulk endpoint and parameter set, and one summary per distinct target and options', () => {
    const distinct = (list: readonly string[]) => new Set(list.map((t) => normalizeTarget(t).value)).size;
    expect(calls).toEqual({
      summary: distinct(TARGETS) + distinct([...SOME, ...SOME_ANSWERED]),
      bulk_ranks: 2,
      bulk_backlinks: 1,
      bulk_spam_score: 1,
      bulk_referring_domains: 1,
      bulk_new_lost_backlinks: 2,
      bulk_new_lost_referring_domains: 2,
    });
  });
});
