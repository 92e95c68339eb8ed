import { builder } from '../builder.js';
import { costs, pageCost } from '../cost.js';
import { normalizeTarget } from '../../dataforseo/target.js';
import type { ReferringDomainItem } from '../../dataforseo/types.js';
import { referringDomainsTask, targetRef, type ReferringDomainSource, type TargetRef } from '../models.js';
import { queryFingerprint, resolveOffsetConnection } from '../pagination.js';
import { canonicalOptionsScope, compactOptions, expandOptions } from './backlink-options.js';
import {
  compileReferringDomainFilter,
  compileReferringDomainOrder,
  ReferringDomainFilter,
  ReferringDomainOrder,
} from './referring-domain-filter.js';
import { LinkProfile } from './link-profile.js';
import { Target } from './target.js';
import { readTargetArg } from './target-arguments.js';

export const ReferringDomain = builder.objectRef<ReferringDomainSource>('ReferringDomain');

/** A domain as a target; upstream domains are already normalised, this only guards against odd casing. */
export function domainAsTarget(domain: string, options: TargetRef['options']): TargetRef {
  try {
    return targetRef(normalizeTarget(domain).value, options);
  } catch {
    return targetRef(domain, options);
  }
}

function parseId(id: string): { of: TargetRef; domain: string } | null {
  try {
    const [target, compact, domain] = JSON.parse(id) as [unknown, unknown, unknown];
    const options = expandOptions(compact);
    if (typeof target !== 'string' || typeof domain !== 'string' || !options) return null;
    return { of: targetRef(readTargetArg('id', target), options), domain: readTargetArg('id', domain) };
  } catch {
    return null;
  }
}

function hasDomain(item: ReferringDomainItem | null | undefined): item is ReferringDomainItem & { domain: string } {
  return typeof item?.domain === 'string';
}

builder.node(ReferringDomain, {
  description: 'A domain that links to a target; its counters describe its links to that target.',
  interfaces: [LinkProfile],
  isTypeOf: (value) => (value as { kind?: unknown }).kind === 'ReferringDomain',
  // Its profile comes with it (free); loading one by ID is one referring_domains call.
  extensions: costs({
    load: (id: string) => {
      const parsed = parseId(id);
      return parsed ? { calls: 1, scope: canonicalOptionsScope(parsed.of.options) } : null;
    },
  }),
  id: { resolve: (s) => JSON.stringify([s.of.target, compactOptions(s.of.options), s.domain]) },
  loadOne: async (id, ctx): Promise<ReferringDomainSource | null> => {
    const parsed = parseId(id);
    if (!parsed) return null;
    const task = { ...referringDomainsTask(parsed.of, { filters: ['domain', '=', parsed.domain] }), limit: 1, offset: 0 };
    const result = await ctx.loaders.referringDomainsByPage.load(task);
    const item = result?.items?.find((i) => i?.domain === parsed.domain);
    return hasDomain(item) ? { kind: 'ReferringDomain', item, domain: item.domain, of: parsed.of } : null;
  },
  fields: (t) => ({
    domain: t.exposeString('domain', { description: 'The referring domain.' }),
    // The connection's own target: one object for the whole page, not one per item.
    target: t.field({
      type: Target,
      description: 'The target these links point to.',
      extensions: costs({ of: 'owner' }),
      resolve: (s) => s.of,
    }),
    asTarget: t.field({
      type: Target,
      description:
        "This domain's own backlink profile, as a Target counted with the same options (one summary per distinct domain per operation).",
      resolve: (s) => domainAsTarget(s.domain, s.of.options),
    }),
  }),
});

builder.objectField(Target, 'referringDomains', (t) =>
  t.connection(
    {
      type: ReferringDomain,
      nullable: true,
      description:
        'Domains linking to this target (backlinks/referring_domains), strongest first unless ordered otherwise. totalCount counts main domains. One upstream call per page.',
      extensions: costs(pageCost()),
      args: {
        filter: t.arg({ type: ReferringDomainFilter, description: 'Only the referring domains that match (at most 8 conditions).' }),
        orderBy: t.arg({ type: [ReferringDomainOrder], description: 'Up to 3 ordering rules; by default rank, highest first.' }),
      },
      resolve: (ref, args, ctx) => {
        const task = referringDomainsTask(ref, {
          filters: compileReferringDomainFilter(args.filter),
          order_by: compileReferringDomainOrder(args.orderBy),
        });
        return resolveOffsetConnection(
          args,
          queryFingerprint('referring_domains', task),
          async (offset, limit) => {
            const result = await ctx.loaders.referringDomainsByPage.load({ ...task, limit, offset });
            return { totalCount: result?.total_count ?? 0, items: (result?.items ?? []).filter(hasDomain) };
          },
          (item): ReferringDomainSource => ({ kind: 'ReferringDomain', item, domain: item.domain, of: ref }),
        );
      },
    },
    { name: 'ReferringDomainConnection', description: 'A page of referring domains.' },
    { name: 'ReferringDomainEdge', description: 'A referring domain and its cursor.' },
  ),
);
