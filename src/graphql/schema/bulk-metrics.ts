import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { costs, type CostArgs, type GroupCost } from '../cost.js';
import { badUserInput } from '../input-errors.js';
import type { BulkMetricsRef, CanonicalOptions, NewAndLostRef, PageSummarySource, TargetRef } from '../models.js';
import { bulkBatchSize, type BulkEndpoint, type BulkItemOf, type BulkParams } from '../../dataforseo/bulk.js';
import { DEFAULT_OPTIONS } from '../models.js';
import { RANK_SCALE_SCOPE } from './backlink-options.js';
import { fromProfile, LinkProfile, PROFILE } from './link-profile.js';
import { Target } from './target.js';

/**
 * Target.bulkMetrics: a target's figures from the bulk endpoints, which take up to 1000 targets per call. They are a
 * different measurement from the summary (live links only, a domain rolled up with all its subdomains, none of the
 * counting options), so they live on their own type, whose every field always means the same thing whatever else
 * is selected; a Target whose options they cannot honour gets BAD_USER_INPUT, before any call.
 */

/** The bulk parameters each endpoint takes from a Target's options: the same options, the same loader and key. */
const PARAMS: Readonly<
  Record<Exclude<BulkEndpoint, 'bulk_pages_summary' | `bulk_new_lost_${string}`>, (o: CanonicalOptions) => BulkParams>
> = {
  bulk_ranks: (o) => ({ rank_scale: o.rank_scale }),
  bulk_backlinks: () => ({}),
  bulk_spam_score: () => ({}),
  bulk_referring_domains: () => ({}),
};

/** What each group costs on one object: one call per `bulkBatchSize` objects, per distinct parameters. */
function batched(endpoint: BulkEndpoint, per?: string): GroupCost {
  return per === undefined ? { batchSize: bulkBatchSize(endpoint) } : { batchSize: bulkBatchSize(endpoint), per };
}

/** The counting options the bulk endpoints cannot take, with the value they always count with. */
const FIXED_OPTIONS = [
  { option: 'status', key: 'backlinks_status_type', shown: (v: unknown) => String(v).toUpperCase(), allowed: 'LIVE' },
  { option: 'includeSubdomains', key: 'include_subdomains', shown: (v: unknown) => v, allowed: 'true' },
  { option: 'includeIndirectLinks', key: 'include_indirect_links', shown: (v: unknown) => v, allowed: 'true' },
  { option: 'excludeInternalBacklinks', key: 'exclude_internal_backlinks', shown: (v: unknown) => v, allowed: 'true' },
] as const;

/** Refuses the options a bulk endpoint would silently ignore: a figure must never count other links than asked. */
function checkBulkOptions(options: CanonicalOptions): void {
  for (const fixed of FIXED_OPTIONS) {
    const value = options[fixed.key];
    if (value !== DEFAULT_OPTIONS[fixed.key]) {
      throw badUserInput(
        `options.${fixed.option}`,
        fixed.shown(value),
        `${fixed.allowed} (the bulk endpoints count live links of the whole root domain; the summary fields honour every option)`,
        `is ${JSON.stringify(fixed.shown(value))}, which Target.bulkMetrics cannot honour`,
      );
    }
  }
  if (options.backlinks_filters !== undefined) {
    throw badUserInput(
      'options.backlinksFilter',
      options.backlinks_filters,
      'no filter (the bulk endpoints count every live link; the summary fields honour filters)',
      'is set, which Target.bulkMetrics cannot honour',
    );
  }
}

function load<E extends BulkEndpoint>(ctx: Context, endpoint: E, params: BulkParams, target: TargetRef): Promise<BulkItemOf<E> | null> {
  return ctx.loaders.bulk(endpoint, params).load(target.target);
}

export const BulkMetrics = builder.objectRef<BulkMetricsRef>('BulkMetrics');

BulkMetrics.implement({
  description:
    "A target's figures from the bulk endpoints (backlinks/bulk_*), a different measurement from its summary: they count live links only, " +
    'a domain rolled up to its root domain with all its subdomains, and take none of the counting options (only rankScale). ' +
    'Each endpoint takes up to 1000 targets per call: the same field over a page of referring domains or a list of targets is one call per 1000 targets, ' +
    'and a target fetched in the last minutes is not fetched again.',
  extensions: costs({
    groups: {
      bulk_ranks: batched('bulk_ranks', RANK_SCALE_SCOPE),
      bulk_backlinks: batched('bulk_backlinks'),
      bulk_spam_score: batched('bulk_spam_score'),
      bulk_referring_domains: batched('bulk_referring_domains'),
    },
  }),
  fields: (t) => {
    const figure = <E extends keyof typeof PARAMS>(
      endpoint: E,
      type: 'Int' | 'SafeInt',
      description: string,
      read: (item: BulkItemOf<E>) => number | null | undefined,
    ) =>
      t.field({
        type,
        nullable: true,
        description,
        extensions: costs({ group: endpoint }),
        resolve: async (m, _args, ctx) => {
          const item = await load(ctx, endpoint, PARAMS[endpoint](m.of.options), m.of);
          return item ? (read(item) ?? null) : null;
        },
      });
    return {
      rank: figure('bulk_ranks', 'Int', 'Rank on the scale of `options.rankScale` (bulk_ranks: rank).', (i) => i.rank),
      backlinkCount: figure('bulk_backlinks', 'SafeInt', 'Live backlinks (bulk_backlinks: backlinks).', (i) => i.backlinks),
      spamScore: figure(
        'bulk_spam_score',
        'Int',
        "The target's own spam score, 0–100 (bulk_spam_score: spam_score), as the summary's info.spamScore.",
        (i) => i.spam_score,
      ),
      referringDomainCount: figure(
        'bulk_referring_domains',
        'SafeInt',
        'Referring domains, subdomains counted apart (bulk_referring_domains: referring_domains).',
        (i) => i.referring_domains,
      ),
      referringDomainNofollowCount: figure(
        'bulk_referring_domains',
        'SafeInt',
        'Referring domains with at least one nofollow link (bulk_referring_domains: referring_domains_nofollow).',
        (i) => i.referring_domains_nofollow,
      ),
      referringMainDomainCount: figure(
        'bulk_referring_domains',
        'SafeInt',
        'Referring root domains (bulk_referring_domains: referring_main_domains).',
        (i) => i.referring_main_domains,
      ),
      referringMainDomainNofollowCount: figure(
        'bulk_referring_domains',
        'SafeInt',
        'Referring root domains with at least one nofollow link (bulk_referring_domains: referring_main_domains_nofollow).',
        (i) => i.referring_main_domains_nofollow,
      ),
    };
  },
});

/** The upstream keeps new and lost links for a year; by default it looks one month back. */
const NEW_LOST_YEARS_BACK = 1;

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The range of `since` today (UTC), and its default: one month back. */
export function sinceRange(nowMs = Date.now()): { min: string; max: string; fallback: string } {
  const now = new Date(nowMs);
  // The same day of the month, or the month's last day when it has none (31 March → 28/29 February).
  const back = (years: number, months: number) => {
    const year = now.getUTCFullYear() - years;
    const month = now.getUTCMonth() - months;
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    return utcDay(Date.UTC(year, month, Math.min(now.getUTCDate(), lastDay)));
  };
  return { min: back(NEW_LOST_YEARS_BACK, 0), max: utcDay(nowMs), fallback: back(0, 1) };
}

/** Validates `since` against the documented range (today − 1 year to today, UTC); absent: one month back. */
function readSince(value: string | null | undefined): string {
  const { min, max, fallback } = sinceRange();
  if (value === null || value === undefined) return fallback;
  if (value < min || value > max) {
    throw badUserInput('since', value, `a date from ${min} to ${max} (the upstream keeps new and lost links for one year)`);
  }
  return value;
}

const NEW_LOST_GROUPS = {
  backlinks: 'bulk_new_lost_backlinks',
  referringDomains: 'bulk_new_lost_referring_domains',
} as const;

export const NewAndLost = builder.objectRef<NewAndLostRef>('NewAndLost').implement({
  description:
    'Links a target gained and lost since a day (bulk_new_lost_backlinks, bulk_new_lost_referring_domains), over the whole root domain as the other bulk figures: ' +
    'new counts links first seen on or after that day, lost counts links lost on or after it (a link found and lost in between counts in both). ' +
    'Each endpoint takes up to 1000 targets per call, per day asked for.',
  extensions: costs({
    groups: {
      [NEW_LOST_GROUPS.backlinks]: batched(NEW_LOST_GROUPS.backlinks, 'since'),
      [NEW_LOST_GROUPS.referringDomains]: batched(NEW_LOST_GROUPS.referringDomains, 'since'),
    },
  }),
  fields: (t) => {
    const count = <E extends (typeof NEW_LOST_GROUPS)[keyof typeof NEW_LOST_GROUPS]>(
      endpoint: E,
      description: string,
      read: (item: BulkItemOf<E>) => number | null | undefined,
    ) =>
      t.field({
        type: 'SafeInt',
        nullable: true,
        description,
        extensions: costs({ group: endpoint }),
        resolve: async (n, _args, ctx) => {
          const item = await load(ctx, endpoint, { date_from: n.since }, n.of);
          return item ? (read(item) ?? null) : null;
        },
      });
    return {
      since: t.field({ type: 'Date', description: 'The day the counts start from (date_from).', resolve: (n) => n.since }),
      newBacklinkCount: count(NEW_LOST_GROUPS.backlinks, 'Backlinks found since that day (new_backlinks).', (i) => i.new_backlinks),
      lostBacklinkCount: count(NEW_LOST_GROUPS.backlinks, 'Backlinks lost since that day (lost_backlinks).', (i) => i.lost_backlinks),
      newReferringDomainCount: count(
        NEW_LOST_GROUPS.referringDomains,
        'Referring domains gained since that day (new_referring_domains).',
        (i) => i.new_referring_domains,
      ),
      lostReferringDomainCount: count(
        NEW_LOST_GROUPS.referringDomains,
        'Referring domains lost since that day (lost_referring_domains).',
        (i) => i.lost_referring_domains,
      ),
      newReferringMainDomainCount: count(
        NEW_LOST_GROUPS.referringDomains,
        'Referring root domains gained since that day (new_referring_main_domains).',
        (i) => i.new_referring_main_domains,
      ),
      lostReferringMainDomainCount: count(
        NEW_LOST_GROUPS.referringDomains,
        'Referring root domains lost since that day (lost_referring_main_domains).',
        (i) => i.lost_referring_main_domains,
      ),
    };
  },
});

builder.objectField(BulkMetrics, 'newAndLost', (t) =>
  t.field({
    type: NewAndLost,
    // Nullable: a `since` out of range refuses this field only.
    nullable: true,
    description: 'Links gained and lost since a day. One call per 1000 targets per endpoint selected, per day.',
    // Each day is its own batch; an absent `since` is one more (its day is today's, one month back).
    extensions: costs({ scope: (args: CostArgs) => ({ since: typeof args.since === 'string' ? args.since : '' }) }),
    args: {
      since: t.arg({
        type: 'Date',
        description: 'The first day counted: from one year ago to today (UTC). Default: one month ago, as upstream.',
      }),
    },
    resolve: (m, args): NewAndLostRef => ({ kind: 'NewAndLost', of: m.of, since: readSince(args.since) }),
  }),
);

builder.objectField(Target, 'bulkMetrics', (t) =>
  t.field({
    type: BulkMetrics,
    // Nullable: options the bulk endpoints cannot honour refuse this field only, not the Target.
    nullable: true,
    description:
      'Figures of the bulk endpoints, batched up to 1000 targets per call: cheap over many targets, but a different measurement from the summary fields (see BulkMetrics). ' +
      'Refused (BAD_USER_INPUT) when the options ask for anything but live links of the whole domain, with any rankScale.',
    resolve: (ref): BulkMetricsRef => {
      checkBulkOptions(ref.options);
      return { kind: 'BulkMetrics', of: ref };
    },
  }),
);

export const PageSummary = builder.objectRef<PageSummarySource>('PageSummary');

PageSummary.implement({
  description:
    "A target's link profile from bulk_pages_summary: a domain, subdomain or page counted with its live links (subdomains included), " +
    "and the rank of its root domain. A different measurement from the Target's own summary fields, batched: one call per up to 1000 targets " +
    'of at most 100 distinct root domains (counted as one call per 100 targets). Breakdown lists hold at most `options.breakdownLimit` entries.',
  interfaces: [LinkProfile],
  isTypeOf: (value) => (value as { kind?: unknown }).kind === 'PageSummary',
  extensions: costs({ groups: { [PROFILE.cost.group]: batched('bulk_pages_summary', RANK_SCALE_SCOPE) } }),
  fields: (t) => ({
    mainDomainRank: t.field({
      type: 'Int',
      nullable: true,
      description: "Rank of the target's root domain, on the scale of `options.rankScale` (main_domain_rank).",
      extensions: PROFILE,
      resolve: (s, _args, ctx) => fromProfile(s, ctx, (w) => (w as BulkItemOf<'bulk_pages_summary'>).main_domain_rank),
    }),
  }),
});

builder.objectField(BulkMetrics, 'pageSummary', (t) =>
  t.field({
    type: PageSummary,
    description: 'The link profile bulk_pages_summary gives for this target (made for many pages of few sites).',
    resolve: (m): PageSummarySource => ({ kind: 'PageSummary', of: m.of }),
  }),
);
