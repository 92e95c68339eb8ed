import { RE2JS } from 're2js';
import {
  FilterSyntaxError,
  parseFilter,
  parseOrder,
  type FieldSpec,
  type FieldType,
  type FilterNode,
} from '../dataforseo/filter-language.js';

/**
 * The sandbox's evaluator of the upstream's filter and ordering language. Parsing and checking are the shared
 * definition (`dataforseo/filter-language.ts`); this file only turns parsed filters into predicates over rows.
 * Comparisons with a null field value are false (SQL semantics); regexes run on RE2, as upstream.
 */

export type { FieldType };

/** How a filterable field is read from a row. */
export interface FieldAccess<Row> extends FieldSpec {
  get: (row: Row) => unknown;
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

type Predicate<Row> = (row: Row) => boolean;

function invalid(param: string, error: unknown): SandboxTaskError {
  if (error instanceof FilterSyntaxError) return new SandboxTaskError(40501, `Invalid Field: '${param}'. ${error.message}.`);
  throw error;
}

function likeToRegExp(pattern: string, flags: string): RegExp {
  const body = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*');
  return new RegExp(`^${body}$`, `s${flags}`);
}

function timeKey(value: string): string {
  // Dates compare as strings once completed to "yyyy-mm-dd hh:mm:ss"; all upstream times are UTC.
  return value.length === 10 ? `${value} 00:00:00` : value.slice(0, 19);
}

function stringTest(op: string, value: string): (x: string) => boolean {
  switch (op) {
    case '=':
    case '<>':
    case 'in':
    case 'not_in':
      return (x) => x === value;
    case 'like':
    case 'not_like':
    case 'ilike':
    case 'not_ilike': {
      const re = likeToRegExp(value, op.includes('ilike') ? 'i' : '');
      return (x) => re.test(x);
    }
    case 'match':
    case 'not_match': {
      const words = value.toLowerCase().split(/\W+/).filter(Boolean);
      return (x) => {
        const have = new Set(x.toLowerCase().split(/\W+/));
        return words.every((w) => have.has(w));
      };
    }
    default: {
      const re = RE2JS.compile(value);
      return (x) => re.matcher(x).find();
    }
  }
}

function conditionPredicate<Row>(node: Extract<FilterNode, { kind: 'condition' }>, get: (row: Row) => unknown): Predicate<Row> {
  const { op, value, type } = node;
  const negated = op.startsWith('not_') || op === '<>' || op === 'has_not';
  let test: (x: unknown) => boolean;
  if (op === 'in' || op === 'not_in') {
    const set = new Set<unknown>(value as readonly unknown[]);
    test = (x) => set.has(x);
  } else if (type === 'num') {
    const n = value as number;
    const cmp: Record<string, (x: number) => boolean> = {
      '<': (x) => x < n,
      '<=': (x) => x <= n,
      '>': (x) => x > n,
      '>=': (x) => x >= n,
      '=': (x) => x === n,
      '<>': (x) => x === n,
    };
    const c = cmp[op] ?? (() => false);
    test = (x) => typeof x === 'number' && c(x);
  } else if (type === 'bool') {
    test = (x) => x === value;
  } else if (type === 'time') {
    const key = timeKey(value as string);
    test = op === '<' ? (x) => typeof x === 'string' && timeKey(x) < key : (x) => typeof x === 'string' && timeKey(x) > key;
  } else if (type === 'array') {
    test = (x) => Array.isArray(x) && x.includes(value);
  } else {
    const s = stringTest(op, value as string);
    test = (x) => typeof x === 'string' && s(x);
  }
  // A negated operator is the complement among rows that have a value: null never matches anything.
  return negated
    ? (row) => {
        const x = get(row);
        return x !== null && x !== undefined && !test(x);
      }
    : (row) => test(get(row));
}

function toPredicate<Row>(node: FilterNode, resolve: ResolveField<Row>): Predicate<Row> {
  if (node.kind === 'condition') {
    const access = resolve(node.field);
    if (!access) return () => false;
    return conditionPredicate(node, access.get);
  }
  const children = node.children.map((c) => toPredicate(c, resolve));
  return node.kind === 'and' ? (row) => children.every((p) => p(row)) : (row) => children.some((p) => p(row));
}

/** Compiles a filter expression into a predicate, or throws `SandboxTaskError` 40501 naming `param`. */
export function compileFilter<Row>(param: string, expression: unknown, resolve: ResolveField<Row>): Predicate<Row> {
  try {
    return toPredicate(parseFilter(expression, resolve), resolve);
  } catch (error) {
    throw invalid(param, error);
  }
}

/** Compiles `order_by` into a comparator (nulls last), followed by `tieBreak` so that pages tile. */
export function compileOrder<Row>(
  param: string,
  rules: unknown,
  resolve: ResolveField<Row>,
  tieBreak: (a: Row, b: Row) => number,
): (a: Row, b: Row) => number {
  let parsed: ReturnType<typeof parseOrder>;
  try {
    parsed = parseOrder(rules, resolve);
  } catch (error) {
    throw invalid(param, error);
  }
  const comparators = parsed.map(({ field, direction }) => {
    const get = resolve(field)?.get ?? (() => null);
    const sign = direction === 'asc' ? 1 : -1;
    return (a: Row, b: Row) => {
      const x = get(a) as number | string | null | undefined;
      const y = get(b) as number | string | null | undefined;
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
