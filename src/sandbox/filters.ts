/**
 * The upstream's filter and ordering language, as the sandbox evaluates it: `[field, op, value]` conditions joined
 * by "and"/"or" and nested at will (at most 8 conditions), and `order_by` rules `"field,asc|desc"` (at most 3).
 * Operators are checked against the field's type as documented; anything else is refused with 40501, as upstream.
 * Comparisons with a null field value are false (SQL semantics). "and" binds tighter than "or".
 */

export type FieldType = 'num' | 'str' | 'bool' | 'time' | 'array';

/** How a filterable field is read from a row. */
export interface FieldAccess<Row> {
  type: FieldType;
  get: (row: Row) => unknown;
  /** Map keys (`referring_links_tld.com`) are filterable but not sortable. */
  sortable: boolean;
}

export type ResolveField<Row> = (field: string) => FieldAccess<Row> | undefined;

/** A refused task: the status code and message the upstream would give. */
export class SandboxTaskError extends Error {
  override readonly name = 'SandboxTaskError';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const FILTER_MAX_CONDITIONS = 8;
export const ORDER_MAX_RULES = 3;
export const REGEX_MAX_LENGTH = 1000;

const OPERATORS: Readonly<Record<FieldType, readonly string[]>> = {
  num: ['<', '<=', '>', '>=', '=', '<>', 'in', 'not_in'],
  str: ['=', '<>', 'in', 'not_in', 'like', 'not_like', 'ilike', 'not_ilike', 'match', 'not_match', 'regex', 'not_regex'],
  bool: ['=', '<>'],
  time: ['<', '>'],
  array: ['has', 'has_not'],
};

const TIME = /^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2}(?: [+-]\d{2}:\d{2})?)?$/;
/** Features JavaScript has and RE2 does not: lookaround and back-references. */
const NOT_RE2 = /\(\?<?[=!]|\\[1-9]|\\k</;

function invalid(param: string, detail: string): SandboxTaskError {
  return new SandboxTaskError(40501, `Invalid Field: '${param}'. ${detail}`);
}

function likeToRegExp(pattern: string, flags: string): RegExp {
  const body = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*');
  return new RegExp(`^${body}$`, `s${flags}`);
}

function timeKey(value: string): string {
  // Dates compare as strings once completed to "yyyy-mm-dd hh:mm:ss"; all upstream times are UTC.
  return value.length === 10 ? `${value} 00:00:00` : value.slice(0, 19);
}

type Predicate<Row> = (row: Row) => boolean;

function compileCondition<Row>(param: string, cond: readonly unknown[], resolve: ResolveField<Row>): Predicate<Row> {
  const [field, op, value] = cond;
  if (typeof field !== 'string' || typeof op !== 'string') throw invalid(param, 'A condition is [field, operator, value].');
  const access = resolve(field);
  if (!access) throw invalid(param, `Unknown field '${field}'.`);
  if (!OPERATORS[access.type].includes(op)) {
    throw invalid(param, `Operator '${op}' does not apply to '${field}' (${access.type}); use one of ${OPERATORS[access.type].join(' ')}.`);
  }
  const get = access.get;
  const negate = op.startsWith('not_') || op === '<>' || op === 'has_not';
  const positive = (p: Predicate<Row>): Predicate<Row> => (negate ? (row) => get(row) !== null && get(row) !== undefined && !p(row) : p);

  if (op === 'in' || op === 'not_in') {
    if (!Array.isArray(value) || value.length === 0) throw invalid(param, `'${op}' needs a non-empty array.`);
    const want = access.type === 'num' ? 'number' : 'string';
    if (!value.every((v) => typeof v === want)) throw invalid(param, `'${op}' on '${field}' needs ${want}s.`);
    const set = new Set<unknown>(value);
    return positive((row) => set.has(get(row)));
  }
  switch (access.type) {
    case 'num': {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(param, `'${field}' compares with a number.`);
      const n = value;
      const cmp: Record<string, (x: number) => boolean> = {
        '<': (x) => x < n, '<=': (x) => x <= n, '>': (x) => x > n, '>=': (x) => x >= n, '=': (x) => x === n, '<>': (x) => x !== n,
      };
      const test = cmp[op];
      if (!test) throw invalid(param, `Operator '${op}' is not supported.`);
      return (row) => {
        const x = get(row);
        return typeof x === 'number' && test(x);
      };
    }
    case 'bool': {
      if (typeof value !== 'boolean') throw invalid(param, `'${field}' compares with true or false.`);
      return op === '=' ? (row) => get(row) === value : (row) => typeof get(row) === 'boolean' && get(row) !== value;
    }
    case 'time': {
      if (typeof value !== 'string' || !TIME.test(value)) {
        throw invalid(param, `'${field}' compares with a time "yyyy-mm-dd hh:mm:ss +00:00".`);
      }
      const key = timeKey(value);
      return op === '<'
        ? (row) => { const x = get(row); return typeof x === 'string' && timeKey(x) < key; }
        : (row) => { const x = get(row); return typeof x === 'string' && timeKey(x) > key; };
    }
    case 'array': {
      if (typeof value !== 'string') throw invalid(param, `'${op}' on '${field}' needs a string.`);
      return positive((row) => {
        const x = get(row);
        return Array.isArray(x) && x.includes(value);
      });
    }
    case 'str': {
      if (typeof value !== 'string') throw invalid(param, `'${field}' compares with a string.`);
      const str = (row: Row) => {
        const x = get(row);
        return typeof x === 'string' ? x : null;
      };
      if (op === '=' || op === '<>') return positive((row) => str(row) === value);
      if (op === 'like' || op === 'not_like' || op === 'ilike' || op === 'not_ilike') {
        const re = likeToRegExp(value, op.includes('ilike') ? 'i' : '');
        return positive((row) => { const x = str(row); return x !== null && re.test(x); });
      }
      if (op === 'match' || op === 'not_match') {
        const words = value.toLowerCase().split(/\W+/).filter(Boolean);
        if (words.length === 0) throw invalid(param, `'${op}' needs at least one word.`);
        return positive((row) => {
          const x = str(row);
          if (x === null) return false;
          const have = new Set(x.toLowerCase().split(/\W+/));
          return words.every((w) => have.has(w));
        });
      }
      if (value.length > REGEX_MAX_LENGTH) throw invalid(param, `A regex is at most ${REGEX_MAX_LENGTH} characters.`);
      if (NOT_RE2.test(value)) throw invalid(param, 'The regex uses lookaround or back-references, which RE2 does not support.');
      let re: RegExp;
      try {
        re = new RegExp(value);
      } catch {
        throw invalid(param, 'The regex does not compile.');
      }
      return positive((row) => { const x = str(row); return x !== null && re.test(x); });
    }
  }
}

function isCondition(node: readonly unknown[]): boolean {
  return node.length === 3 && typeof node[0] === 'string' && typeof node[1] === 'string' && node[0] !== 'and' && node[0] !== 'or' && !Array.isArray(node[0]);
}

/** Compiles a filter expression into a predicate, or throws `SandboxTaskError` 40501 naming `param`. */
export function compileFilter<Row>(param: string, expression: unknown, resolve: ResolveField<Row>): Predicate<Row> {
  let conditions = 0;
  const walk = (node: unknown, depth: number): Predicate<Row> => {
    if (!Array.isArray(node) || node.length === 0) throw invalid(param, 'Expected a condition or a list of conditions.');
    if (depth > 16) throw invalid(param, 'Filters nest too deep.');
    if (isCondition(node)) {
      conditions += 1;
      if (conditions > FILTER_MAX_CONDITIONS) throw invalid(param, `At most ${FILTER_MAX_CONDITIONS} conditions are allowed.`);
      return compileCondition(param, node, resolve);
    }
    if (node.length % 2 === 0) throw invalid(param, 'Conditions must be joined by "and" or "or".');
    // Split on "or" first so that "and" binds tighter.
    const disjuncts: Predicate<Row>[][] = [[]];
    node.forEach((part, index) => {
      if (index % 2 === 1) {
        if (part === 'or') disjuncts.push([]);
        else if (part !== 'and') throw invalid(param, `Expected "and" or "or", got ${JSON.stringify(part)}.`);
        return;
      }
      disjuncts[disjuncts.length - 1]?.push(walk(part, depth + 1));
    });
    const ors = disjuncts.map((ands) => (ands.length === 1 && ands[0] ? ands[0] : (row: Row) => ands.every((p) => p(row))));
    return ors.length === 1 && ors[0] ? ors[0] : (row: Row) => ors.some((p) => p(row));
  };
  return walk(expression, 0);
}

/** Compiles `order_by` into a comparator (nulls last), followed by `tieBreak` so that pages tile. */
export function compileOrder<Row>(
  param: string,
  rules: unknown,
  resolve: ResolveField<Row>,
  tieBreak: (a: Row, b: Row) => number,
): (a: Row, b: Row) => number {
  if (!Array.isArray(rules)) throw invalid(param, 'Expected an array of "field,direction" rules.');
  if (rules.length > ORDER_MAX_RULES) throw invalid(param, `At most ${ORDER_MAX_RULES} rules are allowed.`);
  const comparators = rules.map((rule) => {
    if (typeof rule !== 'string') throw invalid(param, 'A rule is a string "field,asc" or "field,desc".');
    const [field = '', direction = '', ...rest] = rule.split(',').map((s) => s.trim());
    const access = resolve(field);
    if (!access || rest.length > 0 || (direction !== 'asc' && direction !== 'desc')) {
      throw invalid(param, `'${rule}' is not a valid rule.`);
    }
    if (!access.sortable || access.type === 'array' || access.type === 'bool') throw invalid(param, `'${field}' cannot be sorted on.`);
    const sign = direction === 'asc' ? 1 : -1;
    return (a: Row, b: Row) => {
      const x = access.get(a);
      const y = access.get(b);
      const xNull = x === null || x === undefined;
      const yNull = y === null || y === undefined;
      if (xNull || yNull) return xNull === yNull ? 0 : xNull ? 1 : -1;
      return (x < y ? -1 : x > y ? 1 : 0) * sign;
    };
  });
  return (a, b) => {
    for (const compare of comparators) {
      const c = compare(a, b);
      if (c !== 0) return c;
    }
    return tieBreak(a, b);
  };
}
