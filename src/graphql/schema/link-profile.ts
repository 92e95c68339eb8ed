import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { costs } from '../cost.js';
import type { CountMap, LinkProfileWire } from '../../dataforseo/types.js';
import { summaryTask, type LinkProfileSource, type TargetRef } from '../models.js';
import { breakdownLength } from './backlink-options.js';
import { BREAKDOWN_FIELDS, PROFILE_FIELDS } from './profile-fields.js';
import { upstreamDateReader } from './scalars.js';

/**
 * The cost group of every field that reads a link profile: a type whose profile needs a call declares what the group
 * costs (a Target: one summary, shared by all its fields); where the profile is at hand it is free.
 */
export const PROFILE = costs({ group: 'profile' });

/** The parameters of a Target's bulk_pages_summary task: its rank scale, subdomains always included. */
export function pagesSummaryParams(ref: TargetRef) {
  return { include_subdomains: true, rank_scale: ref.options.rank_scale };
}

/**
 * The counters of a set of links. A Target reads them from its summary (one call, shared by every field, made only
 * when one is selected), a PageSummary from bulk_pages_summary (batched); a ReferringDomain and an IntersectionLink
 * carry them already.
 */
function profileOf(source: LinkProfileSource, ctx: Context): LinkProfileWire | Promise<LinkProfileWire | null> {
  switch (source.kind) {
    case 'Target':
      return ctx.loaders.summaryByTarget.load(summaryTask(source));
    case 'PageSummary':
      return ctx.loaders.bulk('bulk_pages_summary', pagesSummaryParams(source.of)).load(source.of.target);
    case 'ReferringDomain':
      return source.item;
    case 'IntersectionLink':
      return source.entry;
  }
}

/**
 * The breakdown of a profile, at most `breakdownLimit` entries per list: the upstream trims the maps of the tasks
 * that take internal_list_limit; bulk_pages_summary takes none, so its maps are trimmed here, to what the budget
 * counted.
 */
function breakdownOf(source: LinkProfileSource, wire: LinkProfileWire): LinkProfileWire {
  if (source.kind !== 'PageSummary') return wire;
  const limit = source.of.options.internal_list_limit;
  const trimmed: LinkProfileWire = { ...wire };
  for (const f of BREAKDOWN_FIELDS) {
    const map = wire[f.upstream];
    if (map && Object.keys(map).length > limit) {
      trimmed[f.upstream] = Object.fromEntries(
        toKeyCounts(map)
          .slice(0, limit)
          .map((e) => [e.key, e.count]),
      );
    }
  }
  return trimmed;
}

/** Reads one value of a profile, synchronously when the profile is at hand. */
export function fromProfile<T>(
  source: LinkProfileSource,
  ctx: Context,
  read: (wire: LinkProfileWire) => T | null | undefined,
): T | null | Promise<T | null> {
  const profile = profileOf(source, ctx);
  if (profile instanceof Promise) return profile.then((p) => (p ? (read(p) ?? null) : null));
  return read(profile) ?? null;
}

export interface KeyCountShape {
  key: string;
  count: number;
}

export const KeyCount = builder.objectRef<KeyCountShape>('KeyCount').implement({
  description: 'A number of links for one key of a breakdown.',
  fields: (t) => ({
    key: t.exposeString('key', { description: "The key: a TLD, a link type, a country code … The empty string means 'unknown'." }),
    count: t.expose('count', { type: 'SafeInt', description: 'How many links have this key.' }),
  }),
});

/** A count map as a list, largest first, then by key: the order the upstream ranks its top entries by. */
function toKeyCounts(map: CountMap | undefined): KeyCountShape[] {
  if (!map) return [];
  // One loop and one array (this runs twice per item of a 1000-item page).
  const entries: KeyCountShape[] = [];
  for (const key of Object.keys(map)) {
    const count = map[key];
    if (typeof count === 'number') entries.push({ key, count });
  }
  return entries.length < 2 ? entries : entries.sort(byCountThenKey);
}

const byCountThenKey = (a: KeyCountShape, b: KeyCountShape) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

export const LinkBreakdown = builder.objectRef<LinkProfileWire>('LinkBreakdown').implement({
  description: "Link counts per category, largest first (at most `breakdownLimit` entries each). The key '' means 'unknown'.",
  fields: (t) =>
    Object.fromEntries(
      BREAKDOWN_FIELDS.map((f) => [
        f.list,
        // No call, but up to breakdownLimit entries each: the response-size bound counts them.
        t.field({
          type: [KeyCount],
          description: f.description,
          extensions: costs({ fanOut: breakdownLength }),
          resolve: (w) => toKeyCounts(w[f.upstream]),
        }),
      ]),
    ),
});

export const LinkProfile = builder.interfaceRef<LinkProfileSource>('LinkProfile').implement({
  description: 'Counters that describe a set of links. Every type that summarises links implements it.',
  resolveType: (source) => source.kind,
  fields: (t) => {
    // One field per counter of the table; every one reads the profile, hence its cost group.
    const counter = (f: (typeof PROFILE_FIELDS)[number]) => {
      // The reader is made once per field, not per resolved value: a page resolves these 100 000 times.
      const key = f.upstream;
      if (f.scalar === 'DateTime') {
        const readDate = upstreamDateReader<LinkProfileWire>(key);
        return t.field({
          type: 'DateTime',
          nullable: true,
          description: f.description,
          extensions: PROFILE,
          resolve: (s, _args, ctx) => fromProfile(s, ctx, readDate),
        });
      }
      const read = (w: LinkProfileWire) => w[key] as number | null | undefined;
      return t.field({
        type: f.scalar,
        nullable: true,
        description: f.description,
        extensions: PROFILE,
        resolve: (s, _args, ctx) => fromProfile(s, ctx, read),
      });
    };
    return {
      ...Object.fromEntries(PROFILE_FIELDS.map((f) => [f.name, counter(f)])),
      // Nullable: for a Target it needs the summary call, which can fail without failing the rest of the Target.
      breakdown: t.field({
        type: LinkBreakdown,
        nullable: true,
        description: 'The links broken down by TLD, type, attribute, platform, location and country.',
        extensions: PROFILE,
        resolve: (s, _args, ctx) => fromProfile(s, ctx, (w) => breakdownOf(s, w)),
      }),
    };
  },
});
