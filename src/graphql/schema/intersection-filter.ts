import { builder } from '../builder.js';
import { domainIntersectionFieldSpec, ORDER_MAX_RULES } from '../../dataforseo/filter-language.js';
import type { FilterExpression } from '../../dataforseo/types.js';
import {
  BreakdownFilter,
  checkCompiled,
  compileTree,
  DateTimeFilter,
  intConditions,
  IntFilter,
  OrderDirection,
  orderValueName,
  PROFILE_FILTER_FIELDS,
  profileConditions,
  type IntFilterInput,
  type ProfileFilterInput,
} from './filter-inputs.js';
import { badUserInput } from '../input-errors.js';
import { readTargetArg } from './target-arguments.js';

type IntersectionLinkFilterInput = ProfileFilterInput & { target: string };

export interface IntersectionFilterInput {
  and?: readonly IntersectionFilterInput[] | null;
  or?: readonly IntersectionFilterInput[] | null;
  intersectionCount?: IntFilterInput | null;
  link?: IntersectionLinkFilterInput | null;
}

export const IntersectionLinkFilter = builder.inputRef<IntersectionLinkFilterInput>('IntersectionLinkFilter').implement({
  description: 'Conditions on how intersecting domains link to one of the queried targets.',
  fields: (t) => ({
    target: t.string({ required: true, description: 'The queried target, as given (it is normalised the same way).' }),
    ...Object.fromEntries(
      PROFILE_FILTER_FIELDS.map((f) => [
        f.name,
        t.field({
          type: f.kind === 'int' ? IntFilter : DateTimeFilter,
          description: `Conditions on ${f.description} of the links to that target (N.${f.upstream}).`,
        }),
      ]),
    ),
    breakdown: t.field({ type: BreakdownFilter, description: 'Conditions on a breakdown key of the links to that target.' }),
  }),
});

export const IntersectionFilter = builder.inputRef<IntersectionFilterInput>('IntersectionFilter').implement({
  description: 'Conditions on intersecting domains (filters). Fields are joined by "and"; `and`/`or` nest; at most 8 conditions in all.',
  fields: (t) => ({
    and: t.field({ type: [IntersectionFilter], description: 'All of these filters.' }),
    or: t.field({ type: [IntersectionFilter], description: 'At least one of these filters.' }),
    intersectionCount: t.field({
      type: IntFilter,
      description: 'How many of the queried targets the domain links to (intersections_count).',
    }),
    link: t.field({
      type: IntersectionLinkFilter,
      description: 'Conditions on the links to one queried target, named by the target as given; use `and` for several targets.',
    }),
  }),
});

export const IntersectionOrderField = builder.enumType('IntersectionOrderField', {
  description: 'What intersecting domains can be ordered by. Every field but INTERSECTION_COUNT needs `target`.',
  values: {
    INTERSECTION_COUNT: { value: 'intersections_count', description: 'By how many of the queried targets the domain links to.' },
    ...Object.fromEntries(
      PROFILE_FILTER_FIELDS.map((f) => [
        orderValueName(f.name),
        { value: f.upstream, description: `By ${f.description} of the links to \`target\` (N.${f.upstream}).` },
      ]),
    ),
  },
});

interface IntersectionOrderInput {
  field: string;
  target?: string | null;
  direction?: 'asc' | 'desc' | null;
}

export const IntersectionOrder = builder.inputRef<IntersectionOrderInput>('IntersectionOrder').implement({
  description: 'One ordering rule; give up to 3, the first deciding most.',
  fields: (t) => ({
    field: t.field({ type: IntersectionOrderField, required: true, description: 'What to order by.' }),
    target: t.string({
      description: 'The queried target whose links the field describes; required for every field but INTERSECTION_COUNT.',
    }),
    direction: t.field({ type: OrderDirection, required: true, defaultValue: 'desc', description: 'Which way; DESC by default.' }),
  }),
});

/** The upstream number ("1"…"20") of a target named by the client, or a BAD_USER_INPUT naming the choices. */
function targetNumber(path: string, given: string, targets: readonly string[]): string {
  const index = targets.indexOf(readTargetArg(path, given));
  if (index < 0) throw badUserInput(path, given, `one of the queried targets: ${targets.join(', ')}`, 'is not one of the queried targets');
  return String(index + 1);
}

/** Compiles an IntersectionFilter into domain_intersection `filters`, numbering targets in query order. */
export function compileIntersectionFilter(
  input: IntersectionFilterInput | null | undefined,
  targets: readonly string[],
): FilterExpression | undefined {
  if (!input) return undefined;
  const own = (path: string, f: IntersectionFilterInput): FilterExpression[] => {
    const out: FilterExpression[] = [];
    if (f.intersectionCount) out.push(...intConditions(`${path}.intersectionCount`, 'intersections_count', f.intersectionCount));
    if (f.link) out.push(...profileConditions(`${path}.link`, f.link, `${targetNumber(`${path}.link.target`, f.link.target, targets)}.`));
    return out;
  };
  const numbers = new Set(targets.map((_, i) => String(i + 1)));
  return checkCompiled('filter', compileTree('filter', input, own), (field) => domainIntersectionFieldSpec(field, numbers));
}

/** Compiles orderBy into domain_intersection `order_by`; undefined keeps the default order. */
export function compileIntersectionOrder(
  input: readonly IntersectionOrderInput[] | null | undefined,
  targets: readonly string[],
): string[] | undefined {
  if (!input || input.length === 0) return undefined;
  if (input.length > ORDER_MAX_RULES) throw badUserInput('orderBy', `${input.length} rules`, `at most ${ORDER_MAX_RULES} rules`);
  return input.map((o, i) => {
    const direction = o.direction ?? 'desc';
    if (o.field === 'intersections_count') {
      if (o.target)
        throw badUserInput(`orderBy[${i}].target`, o.target, 'no target with INTERSECTION_COUNT', 'makes no sense with INTERSECTION_COUNT');
      return `intersections_count,${direction}`;
    }
    if (!o.target)
      throw badUserInput(`orderBy[${i}].target`, null, `one of the queried targets: ${targets.join(', ')}`, 'is required for this field');
    return `${targetNumber(`orderBy[${i}].target`, o.target, targets)}.${o.field},${direction}`;
  });
}
