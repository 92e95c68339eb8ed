import { builder } from '../builder.js';
import { backlinkFieldSpec, countConditions, FILTER_MAX_CONDITIONS, parseFilter } from '../../dataforseo/filter-language.js';
import type { FilterExpression } from '../../dataforseo/types.js';
import { DEFAULT_OPTIONS, type CanonicalOptions } from '../models.js';
import { BacklinkFilter, compileBacklinkFilter } from './backlink-filter.js';
import { badUserInput } from '../input-errors.js';
import type { CostScope } from '../cost.js';

export const BacklinkStatus = builder.enumType('BacklinkStatus', {
  description: 'Which backlinks are counted (backlinks_status_type).',
  values: {
    ALL: { value: 'all', description: 'Live and lost backlinks.' },
    LIVE: { value: 'live', description: 'Backlinks found at the last check (the default).' },
    LOST: { value: 'lost', description: 'Backlinks that were lost.' },
  } as const,
});

export const RankScale = builder.enumType('RankScale', {
  description: 'The scale of rank values (rank_scale).',
  values: {
    ONE_HUNDRED: { value: 'one_hundred', description: 'Ranks from 0 to 100.' },
    ONE_THOUSAND: { value: 'one_thousand', description: 'Ranks from 0 to 1000 (the default).' },
  } as const,
});

export const BREAKDOWN_LIMIT_MAX = 1000;

export const BacklinkOptions = builder.inputType('BacklinkOptions', {
  description: 'Options that change how links are counted; each maps onto one upstream parameter.',
  fields: (t) => ({
    status: t.field({ type: BacklinkStatus, defaultValue: 'live', description: 'backlinks_status_type: which backlinks count.' }),
    includeSubdomains: t.boolean({ defaultValue: true, description: "include_subdomains: count links to the target's subdomains." }),
    includeIndirectLinks: t.boolean({
      defaultValue: true,
      description: 'include_indirect_links: count links through redirects and canonicals.',
    }),
    excludeInternalBacklinks: t.boolean({
      defaultValue: true,
      description: "exclude_internal_backlinks: ignore links from the target's own subdomains.",
    }),
    rankScale: t.field({ type: RankScale, defaultValue: 'one_thousand', description: 'rank_scale: the scale of every rank.' }),
    breakdownLimit: t.int({ defaultValue: 10, description: `internal_list_limit: entries per breakdown list, 1–${BREAKDOWN_LIMIT_MAX}.` }),
    backlinksFilter: t.field({
      type: BacklinkFilter,
      description: 'backlinks_filters: count only the backlinks that match, e.g. { dofollow: true }.',
    }),
  }),
});

/** What the BacklinkOptions argument arrives as. */
export type BacklinkOptionsInput = typeof BacklinkOptions.$inferInput;

/** Validates BacklinkOptions and makes every value explicit. `path` names the argument in errors. */
export function readOptions(input: BacklinkOptionsInput | null | undefined, path = 'options'): CanonicalOptions {
  const limit = input?.breakdownLimit ?? DEFAULT_OPTIONS.internal_list_limit;
  if (!Number.isInteger(limit) || limit < 1 || limit > BREAKDOWN_LIMIT_MAX) {
    throw badUserInput(`${path}.breakdownLimit`, limit, `an integer from 1 to ${BREAKDOWN_LIMIT_MAX}`);
  }
  const backlinksFilters = compileBacklinkFilter(`${path}.backlinksFilter`, input?.backlinksFilter);
  return {
    backlinks_status_type: input?.status ?? DEFAULT_OPTIONS.backlinks_status_type,
    include_subdomains: input?.includeSubdomains ?? DEFAULT_OPTIONS.include_subdomains,
    include_indirect_links: input?.includeIndirectLinks ?? DEFAULT_OPTIONS.include_indirect_links,
    exclude_internal_backlinks: input?.excludeInternalBacklinks ?? DEFAULT_OPTIONS.exclude_internal_backlinks,
    rank_scale: input?.rankScale ?? DEFAULT_OPTIONS.rank_scale,
    internal_list_limit: limit,
    ...(backlinksFilters !== undefined ? { backlinks_filters: backlinksFilters } : {}),
  };
}

/** The options that differ from the defaults: what a global ID needs to carry. */
export function compactOptions(options: CanonicalOptions): Partial<CanonicalOptions> {
  return Object.fromEntries(
    Object.entries(options).filter(([k, v]) => v !== undefined && DEFAULT_OPTIONS[k as keyof CanonicalOptions] !== v),
  );
}

function isValidBacklinksFilter(expression: unknown): boolean {
  if (expression === undefined) return true;
  try {
    parseFilter(expression, backlinkFieldSpec);
    return countConditions(expression as FilterExpression) <= FILTER_MAX_CONDITIONS;
  } catch {
    return false;
  }
}

/** Rebuilds options from `compactOptions`, checking each value as if a client had sent it. */
export function expandOptions(compact: unknown): CanonicalOptions | null {
  if (typeof compact !== 'object' || compact === null) return null;
  const merged = { ...DEFAULT_OPTIONS, ...(compact as Partial<CanonicalOptions>) };
  const valid =
    ['all', 'live', 'lost'].includes(merged.backlinks_status_type) &&
    ['one_hundred', 'one_thousand'].includes(merged.rank_scale) &&
    typeof merged.include_subdomains === 'boolean' &&
    typeof merged.include_indirect_links === 'boolean' &&
    typeof merged.exclude_internal_backlinks === 'boolean' &&
    Number.isInteger(merged.internal_list_limit) &&
    merged.internal_list_limit >= 1 &&
    merged.internal_list_limit <= BREAKDOWN_LIMIT_MAX &&
    isValidBacklinksFilter(merged.backlinks_filters) &&
    Object.keys(merged).every((k) => k in DEFAULT_OPTIONS || k === 'backlinks_filters');
  return valid ? merged : null;
}

/** The cost-scope entry that tells the breakdown lists below a field how long they can be (`breakdownLimit`). */
export const BREAKDOWN_SCOPE = 'breakdownLimit';
/** The cost-scope entry that tells the bulk fields below a field which rank scale their Targets ask for. */
export const RANK_SCALE_SCOPE = 'rankScale';

/**
 * The cost scope of a field with an `options` argument (coerced, as the walker sees it): its lists' length and its
 * rank scale. Never throws: a breakdownLimit the resolver will refuse is counted as the largest allowed, and a rank
 * scale that is not one of the two is kept apart from both (its own batch).
 */
export function optionsScope(options: unknown): CostScope {
  const given = options as { breakdownLimit?: unknown; rankScale?: unknown } | null | undefined;
  const limit = given?.breakdownLimit ?? DEFAULT_OPTIONS.internal_list_limit;
  const scale = given?.rankScale ?? DEFAULT_OPTIONS.rank_scale;
  return {
    [BREAKDOWN_SCOPE]:
      typeof limit === 'number' && Number.isInteger(limit) && limit >= 1 && limit <= BREAKDOWN_LIMIT_MAX ? limit : BREAKDOWN_LIMIT_MAX,
    [RANK_SCALE_SCOPE]: typeof scale === 'string' ? scale : (JSON.stringify(scale) ?? 'unknown'),
  };
}

/** The cost scope of objects whose options are known already (loaded by ID): the same entries as `optionsScope`. */
export function canonicalOptionsScope(options: CanonicalOptions): CostScope {
  return optionsScope({ breakdownLimit: options.internal_list_limit, rankScale: options.rank_scale });
}

/** How many entries a breakdown list holds at most, from the scope (the largest allowed where it is not known). */
export function breakdownLength(_args: unknown, scope: CostScope): number {
  const limit = scope[BREAKDOWN_SCOPE];
  return typeof limit === 'number' ? limit : BREAKDOWN_LIMIT_MAX;
}
