import { builder } from '../builder.js';
import type { SummaryResult, TargetInfoWire } from '../../dataforseo/types.js';
import { summaryTask, targetRef, type TargetRef } from '../models.js';
import { BacklinkOptions, canonicalOptionsScope, optionsScope, compactOptions, expandOptions, readOptions } from './backlink-options.js';
import { costs, type CostArgs } from '../cost.js';
import { fromProfile, LinkProfile, PROFILE } from './link-profile.js';
import { readTargetArg, readTargetListArg } from './target-arguments.js';

/** Targets per `targets` list: as many as one bulk call takes; the budget decides what may be selected on them. */
export const TARGETS_MAX = 1000;

export const TargetInfo = builder.objectRef<TargetInfoWire>('TargetInfo').implement({
  description: "Facts about the target's own host (summary info).",
  fields: (t) => ({
    server: t.string({ nullable: true, description: 'The web server it announces.', resolve: (i) => i.server ?? null }),
    cms: t.string({ nullable: true, description: 'The content management system detected.', resolve: (i) => i.cms ?? null }),
    platformTypes: t.stringList({
      description: 'Platform types detected: cms, blogs, ecommerce … (platform_type).',
      resolve: (i) => (i.platform_type ?? []).filter((p): p is string => typeof p === 'string'),
    }),
    ipAddress: t.string({ nullable: true, description: 'Its IP address (ip_address).', resolve: (i) => i.ip_address ?? null }),
    country: t.string({ nullable: true, description: 'ISO country code of its server.', resolve: (i) => i.country ?? null }),
    isIp: t.boolean({ nullable: true, description: 'Whether the target is an IP address (is_ip).', resolve: (i) => i.is_ip ?? null }),
    spamScore: t.int({
      nullable: true,
      description: "The target's own spam score, 0–100 (target_spam_score).",
      resolve: (i) => i.target_spam_score ?? null,
    }),
  }),
});

export const Target = builder.objectRef<TargetRef>('Target');

/** A Target's global ID holds its normalised name and the options that differ from the defaults. */
export function targetId(ref: TargetRef): string {
  return JSON.stringify([ref.target, compactOptions(ref.options)]);
}

function parseTargetId(id: string): TargetRef | null {
  try {
    const [target, compact] = JSON.parse(id) as [unknown, unknown];
    const options = expandOptions(compact);
    return typeof target === 'string' && options ? targetRef(readTargetArg('id', target), options) : null;
  } catch {
    return null;
  }
}

builder.node(Target, {
  description:
    'A domain, subdomain or page, and its backlink profile (backlinks/summary). Summary fields share one upstream call, made only if one is selected.',
  interfaces: [LinkProfile],
  isTypeOf: (value) => (value as { kind?: unknown }).kind === 'Target',
  // Its profile is one summary call, whatever number of its fields read it; loading one by ID costs nothing more.
  extensions: costs({
    groups: { [PROFILE.cost.group]: 1 },
    load: (id: string) => {
      const ref = parseTargetId(id);
      return ref ? { calls: 0, scope: canonicalOptionsScope(ref.options) } : null;
    },
  }),
  id: { resolve: targetId },
  loadOne: (id) => parseTargetId(id),
  fields: (t) => {
    const summaryCount = (description: string, read: (s: SummaryResult) => number | null | undefined) =>
      t.field({
        type: 'SafeInt',
        nullable: true,
        description,
        extensions: PROFILE,
        resolve: (ref, _args, ctx) => fromProfile(ref, ctx, (w) => read(w as SummaryResult)),
      });
    return {
      target: t.exposeString('target', {
        description: 'The target as normalised and sent upstream: lower-case, punycode, no "www." for domains.',
      }),
      crawledPageCount: summaryCount("Pages of the target's own site crawled (crawled_pages).", (s) => s.crawled_pages),
      internalLinkCount: summaryCount("Links between the target's own pages (internal_links_count).", (s) => s.internal_links_count),
      externalLinkCount: summaryCount('Links from the target to other sites (external_links_count).', (s) => s.external_links_count),
      info: t.field({
        type: TargetInfo,
        nullable: true,
        description: "Facts about the target's host.",
        extensions: PROFILE,
        resolve: (ref, _args, ctx) => ctx.loaders.summaryByTarget.load(summaryTask(ref)).then((s) => s?.info ?? null),
      }),
    };
  },
});

builder.queryFields((t) => ({
  target: t.field({
    type: Target,
    // Nullable so that one bad target rejects this field only, not every sibling of the operation.
    nullable: true,
    description: 'One domain, subdomain or page. No upstream call is made until a field that needs one is selected.',
    // Aliases with equal arguments are the same target: one summary between them, as their loader makes.
    extensions: costs({ identity: (args: CostArgs) => JSON.stringify(args), scope: (args: CostArgs) => optionsScope(args.options) }),
    args: {
      target: t.arg.string({
        required: true,
        description: 'A domain ("example.com"), subdomain, or absolute page URL ("https://example.com/page").',
      }),
      options: t.arg({ type: BacklinkOptions, description: 'How links are counted.' }),
    },
    resolve: (_root, args) => targetRef(readTargetArg('target', args.target), readOptions(args.options)),
  }),
  targets: t.field({
    type: [Target],
    nullable: true,
    description:
      `Several targets (at most ${TARGETS_MAX}): their summaries are fetched concurrently, each distinct one once (one call each), ` +
      'and their bulkMetrics in one call per 1000 targets per endpoint. The budget decides how many may select summary fields.',
    extensions: costs({
      fanOut: (args: CostArgs) => (Array.isArray(args.targets) ? new Set(args.targets).size : 0),
      scope: (args: CostArgs) => optionsScope(args.options),
    }),
    args: {
      targets: t.arg.stringList({ required: true, description: `1 to ${TARGETS_MAX} targets.` }),
      options: t.arg({ type: BacklinkOptions, description: 'How links are counted, for every target.' }),
    },
    resolve: (_root, args) => {
      const options = readOptions(args.options);
      return readTargetListArg('targets', args.targets, 1, TARGETS_MAX).map((target) => targetRef(target, options));
    },
  }),
}));
