import { builder } from '../builder.js';
import { costs, pageCost, type CostArgs, type CostScope } from '../cost.js';
import type { DomainIntersectionEntry, DomainIntersectionItem } from '../../dataforseo/types.js';
import {
  domainIntersectionTask,
  targetRef,
  type IntersectionLinkSource,
  type IntersectionQuery,
  type IntersectionSource,
  type TargetRef,
} from '../models.js';
import { queryFingerprint, resolveOffsetConnection, type PageArgs } from '../pagination.js';
import type { Context } from '../context.js';
import { BacklinkOptions, canonicalOptionsScope, optionsScope, compactOptions, expandOptions, readOptions } from './backlink-options.js';
import { badUserInput } from '../input-errors.js';
import {
  compileIntersectionFilter,
  compileIntersectionOrder,
  IntersectionFilter,
  IntersectionOrder,
  type IntersectionFilterInput,
} from './intersection-filter.js';
import { LinkProfile } from './link-profile.js';
import { domainAsTarget } from './referring-domain.js';
import { Target } from './target.js';
import { readTargetArg, readTargetListArg } from './target-arguments.js';

export const INTERSECTION_TARGETS_MIN = 2;
export const INTERSECTION_TARGETS_MAX = 20;
export const EXCLUDE_TARGETS_MAX = 10;

/** The scope entry in which an intersection tells what is below it how many targets it queried. */
const TARGETS = 'intersectionTargets';
/** How many queried targets the enclosing intersection has; at most the maximum where it is not known. */
const queriedTargets = (_args: CostArgs, scope: CostScope): number => {
  const n = scope[TARGETS];
  return typeof n === 'number' ? n : INTERSECTION_TARGETS_MAX;
};
const listLength = (value: unknown): number => (Array.isArray(value) ? value.length : INTERSECTION_TARGETS_MAX);

export const IntersectionMode = builder.enumType('IntersectionMode', {
  description: 'Which referring domains an intersection returns (intersection_mode).',
  values: {
    ALL: { value: 'all', description: 'Domains linking to every target (the default).' },
    PARTIAL: { value: 'partial', description: 'Domains linking to at least one target; links lists only the targets each links to.' },
  } as const,
});

export const IntersectionLink = builder.objectRef<IntersectionLinkSource>('IntersectionLink').implement({
  description: 'How one intersecting domain links to one of the queried targets; the counters describe those links.',
  interfaces: [LinkProfile],
  isTypeOf: (value) => (value as { kind?: unknown }).kind === 'IntersectionLink',
  fields: (t) => ({
    // The queried targets: one object each for the whole page, not one per item.
    target: t.field({
      type: Target,
      description: 'The queried target these links point to.',
      extensions: costs({ of: 'owner', fanOut: queriedTargets }),
      resolve: (s) => s.target,
    }),
  }),
});

export const Intersection = builder.objectRef<IntersectionSource>('Intersection');

function firstEntry(item: DomainIntersectionItem): [string, DomainIntersectionEntry] | undefined {
  const entries = Object.entries(item.domain_intersection ?? {}).filter(
    (e): e is [string, DomainIntersectionEntry] => typeof e[1]?.target === 'string',
  );
  return entries.sort((a, b) => Number(a[0]) - Number(b[0]))[0];
}

function parseId(id: string): { query: IntersectionQuery; domain: string; number: string } | null {
  try {
    const [targets, excludeTargets, mode, compact, domain, number] = JSON.parse(id) as unknown[];
    const options = expandOptions(compact);
    const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
    if (!strings(targets) || !strings(excludeTargets) || (mode !== 'all' && mode !== 'partial') || !options) return null;
    // The number becomes the filter path `"<number>.target"`: only the number of a queried target is one.
    if (typeof domain !== 'string' || typeof number !== 'string' || !/^[1-9][0-9]?$/.test(number) || Number(number) > targets.length)
      return null;
    return {
      query: {
        targets: readTargetListArg('id', targets, INTERSECTION_TARGETS_MIN, INTERSECTION_TARGETS_MAX),
        excludeTargets: readExcludes(excludeTargets, 'id'),
        mode,
        options,
      },
      domain: readTargetArg('id', domain),
      number,
    };
  } catch {
    return null;
  }
}

builder.node(Intersection, {
  description: 'A referring domain that links to several of the queried targets (backlinks/domain_intersection).',
  isTypeOf: (value) => (value as { kind?: unknown }).kind === 'Intersection',
  // Loading one by ID is one domain_intersection call; the ID says how many targets were queried.
  extensions: costs({
    load: (id: string) => {
      const parsed = parseId(id);
      return parsed
        ? {
            calls: 1,
            scope: {
              [TARGETS]: parsed.query.targets.length,
              ...canonicalOptionsScope(parsed.query.options),
            },
          }
        : null;
    },
  }),
  id: {
    resolve: (s) =>
      JSON.stringify([
        s.query.targets,
        s.query.excludeTargets,
        s.query.mode,
        compactOptions(s.query.options),
        s.domain,
        firstEntry(s.item)?.[0] ?? '1',
      ]),
  },
  loadOne: async (id, ctx): Promise<IntersectionSource | null> => {
    const parsed = parseId(id);
    if (!parsed) return null;
    const task = {
      ...domainIntersectionTask(parsed.query, { filters: [`${parsed.number}.target`, '=', parsed.domain] }),
      limit: 1,
      offset: 0,
    };
    const result = await ctx.loaders.domainIntersectionByPage.load(task);
    const item = result?.items?.find((i) => i && firstEntry(i)?.[1].target === parsed.domain);
    return item ? { kind: 'Intersection', item, domain: parsed.domain, query: parsed.query } : null;
  },
  fields: (t) => ({
    domain: t.exposeString('domain', { description: 'The referring domain.' }),
    intersectionCount: t.int({
      description: 'How many of the queried targets this domain links to (summary.intersections_count).',
      resolve: (s) => s.item.summary?.intersections_count ?? Object.keys(s.item.domain_intersection ?? {}).length,
    }),
    links: t.field({
      type: [IntersectionLink],
      description: 'One entry per queried target this domain links to, in the order the targets were given.',
      extensions: costs({ fanOut: queriedTargets }),
      resolve: (s) =>
        s.query.targets.flatMap((target, i): IntersectionLinkSource[] => {
          const entry = s.item.domain_intersection?.[String(i + 1)];
          return entry ? [{ kind: 'IntersectionLink', entry, target: targetRef(target, s.query.options) }] : [];
        }),
    }),
    asTarget: t.field({
      type: Target,
      description: "This domain's own backlink profile, as a Target counted with the same options.",
      resolve: (s) => domainAsTarget(s.domain, s.query.options),
    }),
  }),
});

interface ListArgs {
  filter?: IntersectionFilterInput | null;
  orderBy?: readonly { field: string; target?: string | null; direction?: 'asc' | 'desc' | null }[] | null;
}

/** Resolves a page of intersections for a validated query. */
function resolveIntersections(query: IntersectionQuery, args: PageArgs & ListArgs, ctx: Context) {
  const task = domainIntersectionTask(query, {
    filters: compileIntersectionFilter(args.filter, query.targets),
    order_by: compileIntersectionOrder(args.orderBy, query.targets),
  });
  return resolveOffsetConnection(
    args,
    queryFingerprint('domain_intersection', task),
    async (offset, limit) => {
      const result = await ctx.loaders.domainIntersectionByPage.load({ ...task, limit, offset });
      const items = (result?.items ?? []).flatMap((item) => {
        const first = item && firstEntry(item);
        return item && first?.[1].target ? [{ item, domain: first[1].target }] : [];
      });
      return { totalCount: result?.total_count ?? 0, items };
    },
    ({ item, domain }): IntersectionSource => ({ kind: 'Intersection', item, domain, query }),
  );
}

/** Exclusions may end in a wildcard (`https://example.com/blog/*`); the rest is validated like any target. */
function readExcludes(values: readonly string[] | null | undefined, path = 'excludeTargets'): string[] {
  const list = values ?? [];
  if (list.length > EXCLUDE_TARGETS_MAX) readTargetListArg(path, list, 0, EXCLUDE_TARGETS_MAX);
  return list.map((v, i) => {
    const wildcard = v.endsWith('*');
    const target = readTargetArg(`${path}[${i}]`, wildcard ? v.slice(0, -1) : v);
    return wildcard ? `${target}*` : target;
  });
}

const IntersectionConnection = builder.connectionObject(
  { type: Intersection, name: 'IntersectionConnection', description: 'A page of intersecting referring domains.' },
  { name: 'IntersectionEdge', description: 'An intersecting domain and its cursor.' },
);

builder.queryField('domainIntersection', (t) =>
  t.connection(
    {
      type: Intersection,
      nullable: true,
      description: `Referring domains shared by ${INTERSECTION_TARGETS_MIN}–${INTERSECTION_TARGETS_MAX} targets (the "link gap" query). One upstream call per page.`,
      extensions: costs(pageCost((args) => ({ [TARGETS]: listLength(args.targets), ...optionsScope(args.options) }))),
      args: {
        targets: t.arg.stringList({ required: true, description: `${INTERSECTION_TARGETS_MIN} to ${INTERSECTION_TARGETS_MAX} targets.` }),
        excludeTargets: t.arg.stringList({
          description: `Up to ${EXCLUDE_TARGETS_MAX} targets: domains linking to any of them are left out.`,
        }),
        mode: t.arg({ type: IntersectionMode, defaultValue: 'all', description: 'Intersect (ALL) or merge (PARTIAL).' }),
        filter: t.arg({ type: IntersectionFilter, description: 'Only the intersecting domains that match (at most 8 conditions).' }),
        orderBy: t.arg({ type: [IntersectionOrder], description: 'Up to 3 ordering rules; by default the most intersections first.' }),
        options: t.arg({ type: BacklinkOptions, description: 'How links are counted.' }),
      },
      resolve: (_root, args, ctx) => {
        const query: IntersectionQuery = {
          targets: readTargetListArg('targets', args.targets, INTERSECTION_TARGETS_MIN, INTERSECTION_TARGETS_MAX),
          excludeTargets: readExcludes(args.excludeTargets),
          mode: args.mode ?? 'all',
          options: readOptions(args.options),
        };
        return resolveIntersections(query, args, ctx);
      },
    },
    IntersectionConnection,
  ),
);

builder.objectField(Target, 'intersection', (t) =>
  t.connection(
    {
      type: Intersection,
      nullable: true,
      description:
        "Domains linking to this target and to `others` (domain_intersection with this target first), counted with this target's options.",
      extensions: costs(pageCost((args) => ({ [TARGETS]: listLength(args.others) + 1 }))),
      args: {
        others: t.arg.stringList({ required: true, description: `1 to ${INTERSECTION_TARGETS_MAX - 1} other targets.` }),
        excludeTargets: t.arg.stringList({
          description: `Up to ${EXCLUDE_TARGETS_MAX} targets: domains linking to any of them are left out.`,
        }),
        mode: t.arg({ type: IntersectionMode, defaultValue: 'all', description: 'Intersect (ALL) or merge (PARTIAL).' }),
        filter: t.arg({ type: IntersectionFilter, description: 'Only the intersecting domains that match (at most 8 conditions).' }),
        orderBy: t.arg({ type: [IntersectionOrder], description: 'Up to 3 ordering rules; by default the most intersections first.' }),
      },
      resolve: (ref: TargetRef, args, ctx) => {
        if (args.others.length === 0) throw badUserInput('others', args.others, `1 to ${INTERSECTION_TARGETS_MAX - 1} targets`, 'is empty');
        const others = readTargetListArg('others', args.others, 1, INTERSECTION_TARGETS_MAX - 1);
        return resolveIntersections(
          {
            targets: [ref.target, ...others],
            excludeTargets: readExcludes(args.excludeTargets),
            mode: args.mode ?? 'all',
            options: ref.options,
          },
          args,
          ctx,
        );
      },
    },
    IntersectionConnection,
  ),
);
