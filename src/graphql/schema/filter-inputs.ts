import { builder } from '../builder.js';
import {
  countConditions,
  FILTER_MAX_CONDITIONS,
  FilterSyntaxError,
  formatFilterTime,
  parseFilter,
  PATTERN_MAX_LENGTH,
  regexProblem,
  type FieldSpec,
} from '../../dataforseo/filter-language.js';
import { LINK_PROFILE_COUNTERS, type FilterExpression, type FilterValue } from '../../dataforseo/types.js';
import { BREAKDOWN_FIELDS, PROFILE_FIELDS } from './profile-fields.js';
import { badUserInput } from '../input-errors.js';

/**
 * Typed filters and their compiler into the upstream's array language. A filter object's fields are joined by
 * "and"; `and: [...]` and `or: [...]` nest. Every operator of every field is one upstream condition, and at most
 * 8 are allowed after compilation. The compiled expression is then checked by the same parser the sandbox uses,
 * so nothing the upstream would refuse (40501) is ever sent: it is refused here, for free, as BAD_USER_INPUT.
 */

export const OrderDirection = builder.enumType('OrderDirection', {
  description: 'Sort direction.',
  values: {
    ASC: { value: 'asc', description: 'Smallest (or earliest, or A) first.' },
    DESC: { value: 'desc', description: 'Largest (or latest, or Z) first.' },
  } as const,
});

export const IntFilter = builder.inputType('IntFilter', {
  description: 'Conditions on a number; several are joined by "and". Each counts as one of the 8 upstream conditions.',
  fields: (t) => ({
    eq: t.int({ description: 'Equal to.' }),
    ne: t.int({ description: 'Not equal to.' }),
    gt: t.int({ description: 'Greater than.' }),
    gte: t.int({ description: 'Greater than or equal to.' }),
    lt: t.int({ description: 'Less than.' }),
    lte: t.int({ description: 'Less than or equal to.' }),
    in: t.intList({ description: 'One of these (a non-empty list).' }),
    notIn: t.intList({ description: 'None of these (a non-empty list).' }),
  }),
});

export const StringFilter = builder.inputType('StringFilter', {
  description: 'Conditions on a string; several are joined by "and". Each counts as one of the 8 upstream conditions.',
  fields: (t) => ({
    eq: t.string({ description: 'Equal to.' }),
    ne: t.string({ description: 'Not equal to.' }),
    in: t.stringList({ description: 'One of these (a non-empty list).' }),
    notIn: t.stringList({ description: 'None of these (a non-empty list).' }),
    like: t.string({
      description: `Matches a pattern where % stands for any characters, case-sensitive ("%blog%"); 1–${PATTERN_MAX_LENGTH} characters.`,
    }),
    notLike: t.string({ description: 'Does not match a like pattern.' }),
    ilike: t.string({ description: 'Matches a like pattern, ignoring case.' }),
    notIlike: t.string({ description: 'Does not match a like pattern, ignoring case.' }),
    regex: t.string({ description: 'Matches an RE2 regular expression (no lookaround, no back-references), at most 1000 characters.' }),
    notRegex: t.string({ description: 'Does not match an RE2 regular expression.' }),
    match: t.string({ description: 'Contains these words (full-text match).' }),
    notMatch: t.string({ description: 'Does not contain these words.' }),
  }),
});

export const DateTimeFilter = builder.inputType('DateTimeFilter', {
  description: 'Conditions on a time; both are joined by "and". Each counts as one of the 8 upstream conditions.',
  fields: (t) => ({
    before: t.field({ type: 'DateTime', description: 'Strictly before this time.' }),
    after: t.field({ type: 'DateTime', description: 'Strictly after this time.' }),
  }),
});

export const ListFilter = builder.inputType('ListFilter', {
  description: 'Conditions on a list of strings.',
  fields: (t) => ({
    has: t.string({ description: 'The list contains this value.' }),
    hasNot: t.string({ description: 'The list does not contain this value.' }),
  }),
});

export const KeyCountFilter = builder.inputType('KeyCountFilter', {
  description: 'Conditions on the link count of one key of a breakdown, e.g. the links from .edu domains.',
  fields: (t) => ({
    key: t.string({ required: true, description: 'The key: a TLD ("com"), a link type ("anchor"), a country code ("US") …' }),
    count: t.field({ type: IntFilter, required: true, description: 'Conditions on its link count (a missing key counts 0).' }),
  }),
});

/** `Object.fromEntries` that keeps the literal type of the keys, so that inputs built from a table still infer. */
export function entriesOf<Item, Key extends string, Value>(
  items: readonly Item[],
  key: (item: Item) => Key,
  value: (item: Item) => Value,
): Record<Key, Value> {
  return Object.fromEntries(items.map((item) => [key(item), value(item)])) as Record<Key, Value>;
}

export const BreakdownFilter = builder.inputType('BreakdownFilter', {
  description: 'Conditions on the link count of one key per breakdown list; combine several with `and`/`or`.',
  fields: (t) =>
    entriesOf(
      BREAKDOWN_FIELDS,
      (f) => f.filter,
      (f) => t.field({ type: KeyCountFilter, description: f.filterDescription }),
    ),
});

export type IntFilterInput = typeof IntFilter.$inferInput;
export type StringFilterInput = typeof StringFilter.$inferInput;
export type DateTimeFilterInput = typeof DateTimeFilter.$inferInput;
export type ListFilterInput = typeof ListFilter.$inferInput;
export type BreakdownFilterInput = typeof BreakdownFilter.$inferInput;

/**
 * Every LinkProfile counter (the table in profile-fields.ts), with its upstream field and its filter kind. Drives the
 * profile filters (ReferringDomainFilter, IntersectionLinkFilter) and the order enums, so that every counter is
 * filterable and orderable.
 */
export const PROFILE_FILTER_FIELDS = PROFILE_FIELDS.map((f) => ({
  name: f.name,
  upstream: f.upstream,
  kind: LINK_PROFILE_COUNTERS[f.upstream] === 'num' ? ('int' as const) : ('date' as const),
  description: f.about,
}));

export type ProfileFilterInput = {
  [F in (typeof PROFILE_FIELDS)[number] as F['name']]?:
    ((typeof LINK_PROFILE_COUNTERS)[F['upstream']] extends 'num' ? IntFilterInput : DateTimeFilterInput) | null;
} & { breakdown?: BreakdownFilterInput | null };

/** SCREAMING_SNAKE enum name of a camelCase field. */
export function orderValueName(field: string): string {
  return field.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

type Condition = readonly [string, string, FilterValue];

function nonEmptyList(path: string, list: readonly unknown[]): void {
  if (list.length === 0) throw badUserInput(path, list, 'a non-empty list');
}

/** Conditions of an IntFilter on upstream `field`. */
export function intConditions(path: string, field: string, f: IntFilterInput): Condition[] {
  const out: Condition[] = [];
  const ops = [
    ['eq', '='],
    ['ne', '<>'],
    ['gt', '>'],
    ['gte', '>='],
    ['lt', '<'],
    ['lte', '<='],
  ] as const;
  for (const [key, op] of ops) {
    const v = f[key];
    if (v !== null && v !== undefined) out.push([field, op, v]);
  }
  for (const [key, op] of [
    ['in', 'in'],
    ['notIn', 'not_in'],
  ] as const) {
    const list = f[key];
    if (list) {
      nonEmptyList(`${path}.${key}`, list);
      out.push([field, op, [...list]]);
    }
  }
  return out;
}

/** Conditions of a StringFilter on upstream `field`. */
export function stringConditions(path: string, field: string, f: StringFilterInput): Condition[] {
  const out: Condition[] = [];
  const simple = [
    ['eq', '='],
    ['ne', '<>'],
  ] as const;
  for (const [key, op] of simple) {
    const v = f[key];
    if (v !== null && v !== undefined) out.push([field, op, v]);
  }
  for (const [key, op] of [
    ['in', 'in'],
    ['notIn', 'not_in'],
  ] as const) {
    const list = f[key];
    if (list) {
      nonEmptyList(`${path}.${key}`, list);
      out.push([field, op, [...list]]);
    }
  }
  for (const [key, op] of [
    ['like', 'like'],
    ['notLike', 'not_like'],
    ['ilike', 'ilike'],
    ['notIlike', 'not_ilike'],
  ] as const) {
    const v = f[key];
    if (v === null || v === undefined) continue;
    if (v.length === 0 || v.length > PATTERN_MAX_LENGTH)
      throw badUserInput(`${path}.${key}`, v, `a pattern of 1 to ${PATTERN_MAX_LENGTH} characters, % matching any characters`);
    out.push([field, op, v]);
  }
  for (const [key, op] of [
    ['regex', 'regex'],
    ['notRegex', 'not_regex'],
  ] as const) {
    const v = f[key];
    if (v === null || v === undefined) continue;
    const problem = regexProblem(v);
    if (problem)
      throw badUserInput(
        `${path}.${key}`,
        v.length > 100 ? `${v.slice(0, 100)}…` : v,
        'an RE2 regular expression of at most 1000 characters (no lookaround, no back-references)',
        `is ${problem}`,
      );
    out.push([field, op, v]);
  }
  for (const [key, op] of [
    ['match', 'match'],
    ['notMatch', 'not_match'],
  ] as const) {
    const v = f[key];
    if (v === null || v === undefined) continue;
    if (!/\w/.test(v)) throw badUserInput(`${path}.${key}`, v, 'at least one word');
    out.push([field, op, v]);
  }
  return out;
}

/** Conditions of a DateTimeFilter on upstream `field`. */
export function dateConditions(field: string, f: DateTimeFilterInput): Condition[] {
  const out: Condition[] = [];
  if (f.before) out.push([field, '<', formatFilterTime(f.before)]);
  if (f.after) out.push([field, '>', formatFilterTime(f.after)]);
  return out;
}

/** Conditions of a ListFilter on upstream `field`. */
export function listConditions(field: string, f: ListFilterInput): Condition[] {
  const out: Condition[] = [];
  if (f.has !== null && f.has !== undefined) out.push([field, 'has', f.has]);
  if (f.hasNot !== null && f.hasNot !== undefined) out.push([field, 'has_not', f.hasNot]);
  return out;
}

/** Conditions of the LinkProfile fields and breakdown of a filter, upstream names prefixed by `prefix` ("2."). */
export function profileConditions(path: string, f: ProfileFilterInput, prefix = ''): Condition[] {
  const out: Condition[] = [];
  for (const field of PROFILE_FILTER_FIELDS) {
    const value = f[field.name];
    if (!value) continue;
    out.push(
      ...(field.kind === 'int'
        ? intConditions(`${path}.${field.name}`, `${prefix}${field.upstream}`, value as IntFilterInput)
        : dateConditions(`${prefix}${field.upstream}`, value as DateTimeFilterInput)),
    );
  }
  for (const { filter: key, upstream: map } of BREAKDOWN_FIELDS) {
    const kc = f.breakdown?.[key];
    if (!kc) continue;
    if (kc.key === '' || kc.key.length > 100 || /[,\s]/.test(kc.key)) {
      throw badUserInput(
        `${path}.breakdown.${key}.key`,
        kc.key,
        'a key of 1 to 100 characters, without commas or spaces ("com", "US", "anchor")',
      );
    }
    out.push(...intConditions(`${path}.breakdown.${key}.count`, `${prefix}${map}.${kc.key}`, kc.count));
  }
  return out;
}

/** Joins expressions with "and" or "or"; undefined for none, the expression itself for one. */
export function join(parts: readonly FilterExpression[], joiner: 'and' | 'or'): FilterExpression | undefined {
  if (parts.length <= 1) return parts[0];
  return parts.flatMap((part, i): (FilterExpression | 'and' | 'or')[] => (i === 0 ? [part] : [joiner, part]));
}

/** A filter object: its own conditions, `and` and `or`, all joined by "and". */
export function compileTree<T extends { and?: readonly T[] | null; or?: readonly T[] | null }>(
  path: string,
  input: T,
  own: (path: string, input: T) => readonly FilterExpression[],
): FilterExpression | undefined {
  const parts: FilterExpression[] = [...own(path, input)];
  if (input.and) {
    nonEmptyList(`${path}.and`, input.and);
    parts.push(
      ...input.and.map((child, i) => compileTree(`${path}.and[${i}]`, child, own)).filter((e): e is FilterExpression => e !== undefined),
    );
  }
  if (input.or) {
    nonEmptyList(`${path}.or`, input.or);
    const alternatives = input.or.map((child, i) => compileTree(`${path}.or[${i}]`, child, own));
    if (alternatives.some((e) => e === undefined))
      throw badUserInput(
        `${path}.or`,
        '[…, {}, …]',
        'filters with at least one condition each',
        'holds an empty filter, which would match everything',
      );
    const or = join(alternatives as FilterExpression[], 'or');
    if (or) parts.push(or);
  }
  return join(parts, 'and');
}

/**
 * Checks a compiled expression against the upstream's rules (≤ 8 conditions, fields, operators, values) with the
 * shared parser: a safety net under the compiler, so that no refused request is ever paid for.
 */
export function checkCompiled(
  path: string,
  expression: FilterExpression | undefined,
  spec: (field: string) => FieldSpec | undefined,
): FilterExpression | undefined {
  if (expression === undefined) return undefined;
  const count = countConditions(expression);
  if (count > FILTER_MAX_CONDITIONS) {
    throw badUserInput(
      path,
      `${count} conditions`,
      `at most ${FILTER_MAX_CONDITIONS} conditions (each operator of each field counts one)`,
      `compiles to ${count} upstream conditions`,
    );
  }
  try {
    parseFilter(expression, spec);
  } catch (error) {
    if (error instanceof FilterSyntaxError)
      throw badUserInput(path, expression, 'a filter the upstream accepts', `is refused: ${error.message}`);
    throw error;
  }
  return expression;
}
