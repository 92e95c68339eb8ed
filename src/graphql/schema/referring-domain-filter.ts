import { builder } from '../builder.js';
import { ORDER_MAX_RULES, referringDomainsFieldSpec } from '../../dataforseo/filter-language.js';
import type { FilterExpression } from '../../dataforseo/types.js';
import {
  BreakdownFilter,
  checkCompiled,
  compileTree,
  DateTimeFilter,
  IntFilter,
  OrderDirection,
  orderValueName,
  PROFILE_FILTER_FIELDS,
  profileConditions,
  stringConditions,
  StringFilter,
  type ProfileFilterInput,
  type StringFilterInput,
} from './filter-inputs.js';
import { badUserInput } from '../input-errors.js';

export type ReferringDomainFilterInput = ProfileFilterInput & {
  and?: readonly ReferringDomainFilterInput[] | null;
  or?: readonly ReferringDomainFilterInput[] | null;
  domain?: StringFilterInput | null;
};

export const ReferringDomainFilter = builder.inputRef<ReferringDomainFilterInput>('ReferringDomainFilter').implement({
  description: 'Conditions on referring domains (filters). Fields are joined by "and"; `and`/`or` nest; at most 8 conditions in all.',
  fields: (t) => ({
    and: t.field({ type: [ReferringDomainFilter], description: 'All of these filters.' }),
    or: t.field({ type: [ReferringDomainFilter], description: 'At least one of these filters.' }),
    domain: t.field({ type: StringFilter, description: 'The referring domain (domain).' }),
    ...Object.fromEntries(
      PROFILE_FILTER_FIELDS.map((f) => [
        f.name,
        t.field({ type: f.kind === 'int' ? IntFilter : DateTimeFilter, description: `Conditions on ${f.description} (${f.upstream}).` }),
      ]),
    ),
    breakdown: t.field({
      type: BreakdownFilter,
      description: 'Conditions on the link count of a breakdown key, e.g. links from .edu domains.',
    }),
  }),
});

const ORDER_FIELDS = [
  { name: 'domain', upstream: 'domain', description: 'the referring domain, alphabetically' },
  ...PROFILE_FILTER_FIELDS,
];

export const ReferringDomainOrderField = builder.enumType('ReferringDomainOrderField', {
  description: 'What referring domains can be ordered by.',
  values: Object.fromEntries(
    ORDER_FIELDS.map((f) => [orderValueName(f.name), { value: f.upstream, description: `By ${f.description} (${f.upstream}).` }]),
  ),
});

interface OrderInput {
  field: string;
  direction?: 'asc' | 'desc' | null;
}

export const ReferringDomainOrder = builder.inputRef<OrderInput>('ReferringDomainOrder').implement({
  description: 'One ordering rule; give up to 3, the first deciding most.',
  fields: (t) => ({
    field: t.field({ type: ReferringDomainOrderField, required: true, description: 'What to order by.' }),
    direction: t.field({ type: OrderDirection, required: true, defaultValue: 'desc', description: 'Which way; DESC by default.' }),
  }),
});

/** Compiles a ReferringDomainFilter into referring_domains `filters`. */
export function compileReferringDomainFilter(input: ReferringDomainFilterInput | null | undefined): FilterExpression | undefined {
  if (!input) return undefined;
  const own = (path: string, f: ReferringDomainFilterInput) => [
    ...(f.domain ? stringConditions(`${path}.domain`, 'domain', f.domain) : []),
    ...profileConditions(path, f),
  ];
  return checkCompiled('filter', compileTree('filter', input, own), referringDomainsFieldSpec);
}

/** Compiles orderBy into referring_domains `order_by`; undefined keeps the upstream's default order. */
export function compileReferringDomainOrder(input: readonly OrderInput[] | null | undefined): string[] | undefined {
  if (!input || input.length === 0) return undefined;
  if (input.length > ORDER_MAX_RULES) throw badUserInput('orderBy', `${input.length} rules`, `at most ${ORDER_MAX_RULES} rules`);
  return input.map((o) => `${o.field},${o.direction ?? 'desc'}`);
}
