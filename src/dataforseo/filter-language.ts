import { RE2JS } from 're2js';
import { LINK_PROFILE_COUNTERS, LINK_PROFILE_MAPS, type FilterExpression, type FilterValue, type LinkProfileCounter } from './types.js';

/**
 * The upstream's filter and ordering language, as documented (shared/design/dataforseo-backlinks.md): conditions
 * `[field, op, value]` joined by "and"/"or" and nested at will, at most 8 conditions; `order_by` rules
 * `"field,asc|desc"`, at most 3; operators by the field's type; regexes in RE2 syntax, at most 1000 characters.
 * One definition serves the GraphQL layer (which must never send a request the upstream refuses) and the sandbox
 * (which must refuse what the upstream refuses).
 */

export type FieldType = 'num' | 'str' | 'bool' | 'time' | 'array';

export const FILTER_MAX_CONDITIONS = 8;
export const ORDER_MAX_RULES = 3;
export const REGEX_MAX_LENGTH = 1000;
/** Not documented upstream; a bound so a filter cannot grow a request without limit. */
export const PATTERN_MAX_LENGTH = 1000;

export const FILTER_OPERATORS: Readonly<Record<FieldType, readonly string[]>> = {
  num: ['<', '<=', '>', '>=', '=', '<>', 'in', 'not_in'],
  str: ['=', '<>', 'in', 'not_in', 'like', 'not_like', 'ilike', 'not_ilike', 'match', 'not_match', 'regex', 'not_regex'],
  bool: ['=', '<>'],
  time: ['<', '>'],
  array: ['has', 'has_not'],
};

const counters = Object.entries(LINK_PROFILE_COUNTERS) as [LinkProfileCounter, 'num' | 'time'][];
/** The numeric counters of every link profile (summary, referring domain, intersection entry). */
export const PROFILE_NUMBER_FIELDS: readonly LinkProfileCounter[] = counters.filter(([, type]) => type === 'num').map(([field]) => field);
export const PROFILE_TIME_FIELDS: readonly LinkProfileCounter[] = counters.filter(([, type]) => type === 'time').map(([field]) => field);
/** Count maps; a key is addressable in filters (`referring_links_tld.com`), not in order_by. */
export const PROFILE_MAP_FIELDS = LINK_PROFILE_MAPS;

/** Fields of `backlinks_filters`: properties of the individual backlinks counted. */
export const BACKLINK_FILTER_FIELDS: Readonly<Record<string, FieldType>> = {
  dofollow: 'bool',
  anchor: 'str',
  domain_from: 'str',
  url_from: 'str',
  url_to: 'str',
  domain_from_rank: 'num',
  page_from_rank: 'num',
  first_seen: 'time',
  lost_date: 'time',
  item_type: 'str',
  is_lost: 'bool',
  is_new: 'bool',
  is_broken: 'bool',
  is_indirect_link: 'bool',
  attributes: 'array',
  semantic_location: 'str',
  domain_from_country: 'str',
  tld_from: 'str',
  domain_from_platform_type: 'array',
  backlink_spam_score: 'num',
};

/** How a profile field is addressed: its type, and whether order_by may use it. */
export interface FieldSpec {
  type: FieldType;
  sortable: boolean;
}

/** The type of a link-profile field, `stringFields` naming the string ones of the endpoint (`domain`, `target`). */
export function profileFieldSpec(field: string, stringFields: readonly string[]): FieldSpec | undefined {
  if ((PROFILE_NUMBER_FIELDS as readonly string[]).includes(field)) return { type: 'num', sortable: true };
  if ((PROFILE_TIME_FIELDS as readonly string[]).includes(field)) return { type: 'time', sortable: true };
  if (stringFields.includes(field)) return { type: 'str', sortable: true };
  const dot = field.indexOf('.');
  if (dot > 0 && (PROFILE_MAP_FIELDS as readonly string[]).includes(field.slice(0, dot)) && dot < field.length - 1) {
    return { type: 'num', sortable: false };
  }
  return undefined;
}

/** Fields of referring_domains `filters` and `order_by`. */
export function referringDomainsFieldSpec(field: string): FieldSpec | undefined {
  return profileFieldSpec(field, ['domain', 'type']);
}

/** Fields of domain_intersection `filters` and `order_by`: `intersections_count`, and `N.field` for target N. */
export function domainIntersectionFieldSpec(field: string, targetNumbers: ReadonlySet<string>): FieldSpec | undefined {
  if (field === 'intersections_count') return { type: 'num', sortable: true };
  const m = /^(\d+)\.(.+)$/.exec(field);
  return m && targetNumbers.has(m[1] ?? '') ? profileFieldSpec(m[2] ?? '', ['target', 'type']) : undefined;
}

/** Fields of `backlinks_filters`. */
export function backlinkFieldSpec(field: string): FieldSpec | undefined {
  const type = BACKLINK_FILTER_FIELDS[field];
  return type ? { type, sortable: false } : undefined;
}

/** Why a filter or an order is not valid upstream; the message names the part at fault. */
export class FilterSyntaxError extends Error {
  override readonly name = 'FilterSyntaxError';
}

export type FilterNode =
  { kind: 'condition'; field: string; op: string; value: FilterValue; type: FieldType } | { kind: 'and' | 'or'; children: FilterNode[] };

const TIME = /^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2}(?: [+-]\d{2}:\d{2})?)?$/;

/**
 * How large a program a pattern compiles to, roughly: one per atom, counted repetitions multiplying what they repeat
 * (`(a{1,30}){1,30}` is 900). Compiling expands repetitions, so its time grows with this figure, not with the
 * pattern's length: a 999-character `a{1,1000}…` takes most of a second of the event loop. Hand-written: RE2JS exposes
 * no size limit, and this needs no parse beyond brackets, escapes and `{n,m}`.
 */
export function regexProgramSize(pattern: string): number {
  const frames: { size: number; last: number }[] = [{ size: 0, last: 0 }];
  const top = () => frames[frames.length - 1] as { size: number; last: number };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i += 1;
      top().size += 1;
      top().last = 1;
    } else if (c === '[') {
      // A class is one atom: skip to its closing bracket (a leading ] or ^] is literal, escapes are skipped).
      let j = i + 1;
      if (pattern[j] === '^') j += 1;
      if (pattern[j] === ']') j += 1;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j;
      top().size += 1;
      top().last = 1;
    } else if (c === '(') {
      frames.push({ size: 0, last: 0 });
    } else if (c === ')' && frames.length > 1) {
      const inner = frames.pop() as { size: number; last: number };
      top().size += inner.size;
      top().last = inner.size;
    } else if (c === '{') {
      const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(pattern.slice(i, i + 11));
      if (!m) {
        top().size += 1;
        top().last = 1;
        continue;
      }
      const bound = Math.max(Number(m[1]), m[3] ? Number(m[3]) : Number(m[1]));
      top().size += top().last * Math.max(0, bound - 1);
      top().last *= Math.max(1, bound);
      i += m[0].length - 1;
    } else if (c !== '|' && c !== '*' && c !== '+' && c !== '?') {
      top().size += 1;
      top().last = 1;
    }
  }
  return frames.reduce((total, frame) => total + frame.size, 0);
}

/** The largest regexProgramSize accepted: a few milliseconds of compilation at most. */
export const REGEX_MAX_PROGRAM_SIZE = 2000;

/** Verdicts of patterns already compiled: a repeated pattern is compiled once per process. */
const verdicts = new Map<string, string | null>();
const VERDICTS_MAX = 1000;

/**
 * At most this much of each second of the event loop goes to compiling new patterns, whoever sends them: past it,
 * a new pattern is refused for the moment (not cached), so that thousands of distinct patterns in one request (a
 * list variable of global IDs carries them without tokens) cannot stall every other request and /health.
 */
export const REGEX_COMPILE_BUDGET_MS_PER_SECOND = 200;
let budgetWindowStart = 0;
let budgetSpentMs = 0;

/** Null when `pattern` is an RE2 regular expression the upstream accepts, else why not. */
export function regexProblem(pattern: string): string | null {
  if (pattern.length > REGEX_MAX_LENGTH) return `a regex is at most ${REGEX_MAX_LENGTH} characters, this one has ${pattern.length}`;
  const known = verdicts.get(pattern);
  if (known !== undefined) return known;
  const size = regexProgramSize(pattern);
  let verdict: string | null = null;
  if (size > REGEX_MAX_PROGRAM_SIZE) {
    verdict = `a regex may expand to at most ${REGEX_MAX_PROGRAM_SIZE} atoms (counted repetitions multiply what they repeat); this one expands to about ${size}`;
  } else {
    const now = performance.now();
    if (now - budgetWindowStart >= 1000) {
      budgetWindowStart = now;
      budgetSpentMs = 0;
    }
    if (budgetSpentMs >= REGEX_COMPILE_BUDGET_MS_PER_SECOND) {
      return 'the server is checking too many new regular expressions right now; retry in a second';
    }
    try {
      RE2JS.compile(pattern);
    } catch (error) {
      verdict = `not an RE2 regex (${error instanceof Error ? error.message : String(error)})`;
    } finally {
      budgetSpentMs += performance.now() - now;
    }
  }
  // Bounded: the oldest verdict goes first.
  if (verdicts.size >= VERDICTS_MAX) verdicts.delete(verdicts.keys().next().value as string);
  verdicts.set(pattern, verdict);
  return verdict;
}

function isCondition(node: readonly unknown[]): boolean {
  return node.length === 3 && typeof node[0] === 'string' && typeof node[1] === 'string' && node[0] !== 'and' && node[0] !== 'or';
}

function checkCondition(node: readonly unknown[], spec: (field: string) => FieldSpec | undefined): FilterNode {
  const [field, op, value] = node as [string, string, unknown];
  const type = spec(field)?.type;
  if (!type) throw new FilterSyntaxError(`unknown field '${field}'`);
  if (!FILTER_OPERATORS[type].includes(op)) {
    throw new FilterSyntaxError(`operator '${op}' does not apply to '${field}' (${type}); use one of ${FILTER_OPERATORS[type].join(' ')}`);
  }
  const want = type === 'num' ? 'number' : type === 'bool' ? 'boolean' : 'string';
  if (op === 'in' || op === 'not_in') {
    if (!Array.isArray(value) || value.length === 0) throw new FilterSyntaxError(`'${op}' on '${field}' needs a non-empty array`);
    if (!value.every((v) => typeof v === want)) throw new FilterSyntaxError(`'${op}' on '${field}' needs ${want}s`);
  } else if (typeof value !== want || (want === 'number' && !Number.isFinite(value))) {
    throw new FilterSyntaxError(`'${field}' compares with a ${type === 'time' ? 'time "yyyy-mm-dd hh:mm:ss +00:00"' : want}`);
  }
  if (type === 'time' && !TIME.test(value as string))
    throw new FilterSyntaxError(`'${field}' compares with a time "yyyy-mm-dd hh:mm:ss +00:00"`);
  if ((op === 'regex' || op === 'not_regex') && typeof value === 'string') {
    const problem = regexProblem(value);
    if (problem) throw new FilterSyntaxError(`'${field}': ${problem}`);
  }
  if (/like$/.test(op) && typeof value === 'string' && (value.length === 0 || value.length > PATTERN_MAX_LENGTH)) {
    throw new FilterSyntaxError(`'${op}' on '${field}' needs a pattern of 1 to ${PATTERN_MAX_LENGTH} characters`);
  }
  if (op.endsWith('match') && typeof value === 'string' && !/\w/.test(value))
    throw new FilterSyntaxError(`'${op}' on '${field}' needs at least one word`);
  return { kind: 'condition', field, op, value: value as FilterValue, type };
}

/**
 * Parses a filter expression against the fields `spec` knows, checking everything the upstream checks; throws
 * `FilterSyntaxError`. "and" binds tighter than "or" where a list mixes them.
 */
export function parseFilter(expression: unknown, spec: (field: string) => FieldSpec | undefined): FilterNode {
  let conditions = 0;
  const walk = (node: unknown, depth: number): FilterNode => {
    if (!Array.isArray(node) || node.length === 0)
      throw new FilterSyntaxError('expected a condition [field, operator, value] or a list of them');
    if (depth > 16) throw new FilterSyntaxError('filters nest too deep');
    if (isCondition(node)) {
      conditions += 1;
      if (conditions > FILTER_MAX_CONDITIONS) throw new FilterSyntaxError(`at most ${FILTER_MAX_CONDITIONS} conditions are allowed`);
      return checkCondition(node, spec);
    }
    if (node.length % 2 === 0) throw new FilterSyntaxError('conditions must be joined by "and" or "or"');
    const disjuncts: FilterNode[][] = [[]];
    node.forEach((part, index) => {
      if (index % 2 === 1) {
        if (part === 'or') disjuncts.push([]);
        else if (part !== 'and') throw new FilterSyntaxError(`expected "and" or "or", got ${JSON.stringify(part)}`);
        return;
      }
      disjuncts[disjuncts.length - 1]?.push(walk(part, depth + 1));
    });
    const ors = disjuncts.map((ands): FilterNode => (ands.length === 1 && ands[0] ? ands[0] : { kind: 'and', children: ands }));
    return ors.length === 1 && ors[0] ? ors[0] : { kind: 'or', children: ors };
  };
  return walk(expression, 0);
}

/** Parses `order_by` rules against the fields `spec` knows; throws `FilterSyntaxError`. */
export function parseOrder(rules: unknown, spec: (field: string) => FieldSpec | undefined): { field: string; direction: 'asc' | 'desc' }[] {
  if (!Array.isArray(rules)) throw new FilterSyntaxError('expected an array of "field,direction" rules');
  if (rules.length > ORDER_MAX_RULES) throw new FilterSyntaxError(`at most ${ORDER_MAX_RULES} rules are allowed`);
  return rules.map((rule) => {
    if (typeof rule !== 'string') throw new FilterSyntaxError('a rule is a string "field,asc" or "field,desc"');
    const [field = '', direction = '', ...rest] = rule.split(',').map((s) => s.trim());
    const fieldSpec = spec(field);
    if (!fieldSpec || rest.length > 0 || (direction !== 'asc' && direction !== 'desc'))
      throw new FilterSyntaxError(`'${rule}' is not a valid rule`);
    if (!fieldSpec.sortable || fieldSpec.type === 'array' || fieldSpec.type === 'bool')
      throw new FilterSyntaxError(`'${field}' cannot be sorted on`);
    return { field, direction };
  });
}

/** Counts the conditions of a compiled expression. */
export function countConditions(expression: FilterExpression): number {
  if (isCondition(expression)) return 1;
  return (expression as readonly unknown[]).reduce<number>(
    (n, part) => (Array.isArray(part) ? n + countConditions(part as FilterExpression) : n),
    0,
  );
}

/** Formats a time the way the filter language wants it: "yyyy-mm-dd hh:mm:ss +00:00". */
export function formatFilterTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} +00:00`;
}
