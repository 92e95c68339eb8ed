import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isLeafType,
  isNonNullType,
  isObjectType,
  Kind,
  typeFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type SelectionSetNode,
} from 'graphql';
import type { CostScope, FieldCost, GroupCost, TypeCost } from './cost.js';

/**
 * An upper bound of the upstream calls an operation can make, computed from the document and its variables before
 * anything runs, from the cost each field and type declares (cost.ts). Hand-written because one upstream call
 * serves every summary field of a Target, which per-field cost plugins (Pothos complexity, graphql-armor cost
 * limits) cannot express: they would count a Target's twenty summary fields as twenty calls.
 *
 * It fails closed: what it cannot bound (a directive it cannot evaluate, a field it does not know, a malformed
 * declaration, too much work) throws BudgetUnknownError, and the operation is refused. A field whose arguments
 * graphql-js cannot coerce costs nothing: execution refuses it with the same function before resolving it.
 *
 * It runs in time linear in the document: each selection set is costed once per type and scope (memoised), so
 * repeated fragments are not expanded, and the work is bounded by ESTIMATE_WORK_MAX.
 */

/** Selections visited (and memo entries merged) before the estimator gives up and the operation is refused. */
export const ESTIMATE_WORK_MAX = 100_000;

/** The estimate could not be computed; the operation must be refused. `reason` is safe to show the client. */
export class BudgetUnknownError extends Error {
  override name = 'BudgetUnknownError';
  readonly code = 'BUDGET_UNKNOWN';
  constructor(readonly reason: string) {
    super(`The upstream cost of this operation cannot be bounded: ${reason}.`);
  }
}

/**
 * An argument that execution would refuse in a non-null field: the error would null the field's parent (up to the
 * whole `data`) while sibling fields may already have paid for upstream calls, so the operation is refused before
 * it runs, with the argument's own error.
 */
export class BudgetInputError extends Error {
  override name = 'BudgetInputError';
  constructor(readonly error: GraphQLError) {
    super(error.message);
  }
}

/** The estimate, and the estimator's work (selections visited) for it. */
export interface Estimate {
  calls: number;
  work: number;
  /** An upper bound of the values (fields and list items) the response can hold: what serialising it costs. */
  values: number;
}

/** Calls, and objects of batched groups (by batch key), in units of one object. */
interface Amount {
  calls: number;
  batched: ReadonlyMap<string, number>;
}

/** What a selection set costs on one object. */
interface Tally {
  /** In units of this object. */
  self: Amount;
  /** In units of the owner of the enclosing connection (links back to it). */
  owner: Amount;
  /** Groups this object's selected fields read: their calls are made once per object. */
  groups: ReadonlySet<string>;
  /** Child objects that are one object per identity: their group calls are made once. */
  same: ReadonlyMap<string, { type: GraphQLObjectType; scope: CostScope; groups: ReadonlySet<string> }>;
  /**
   * Values the selections put in the response per object, by response key: one per field, and a list's items each
   * with theirs. Unlike calls, values are never shared between aliases or items (each is serialised), so they
   * multiply straight; selections of one response key are merged by execution, so they take the larger, not the sum.
   */
  keys: ReadonlyMap<string, number>;
}

const NO_BATCH: ReadonlyMap<string, number> = new Map();
const ZERO: Amount = { calls: 0, batched: NO_BATCH };
const NO_GROUPS: ReadonlySet<string> = new Set();
const NO_KEYS: ReadonlyMap<string, number> = new Map();
const EMPTY: Tally = { self: ZERO, owner: ZERO, groups: NO_GROUPS, same: new Map(), keys: NO_KEYS };
const IN_PROGRESS = Symbol('in progress');

interface Walk {
  schema: GraphQLSchema;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  memo: WeakMap<SelectionSetNode, Map<string, Tally | typeof IN_PROGRESS>>;
  scopeKeys: WeakMap<CostScope, string>;
  batchSizes: Map<string, number>;
  work: number;
}

function spend(w: Walk, units: number): void {
  w.work += units;
  if (w.work > ESTIMATE_WORK_MAX) throw new BudgetUnknownError(`the operation needs more than ${ESTIMATE_WORK_MAX} steps to estimate`);
}

function scopeKey(w: Walk, scope: CostScope): string {
  let key = w.scopeKeys.get(scope);
  if (key === undefined) {
    key = JSON.stringify(Object.entries(scope).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    w.scopeKeys.set(scope, key);
  }
  return key;
}

/** A declared count: a finite number ≥ 0, or the declaration is broken and nothing is known. */
function count(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new BudgetUnknownError(`a cost declaration gave ${what} ${String(value)}`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The field's declaration; a `cost` extension that is not an object is a broken declaration, not "free". */
function fieldCost(field: GraphQLField<unknown, unknown>): FieldCost {
  const cost = (field.extensions as Record<string, unknown>).cost;
  if (cost === undefined) return {};
  if (!isRecord(cost)) throw new BudgetUnknownError(`the cost declaration of a field is malformed`);
  return cost;
}

function typeCost(type: GraphQLObjectType): TypeCost {
  const cost = (type.extensions as Record<string, unknown>).cost;
  if (cost === undefined) return {};
  if (!isRecord(cost)) throw new BudgetUnknownError(`the cost declaration of a type is malformed`);
  return cost;
}

function add(a: Amount, b: Amount, times = 1): Amount {
  if (times === 0 || (b.calls === 0 && b.batched.size === 0)) return a;
  if (b.batched.size === 0) return { calls: a.calls + times * b.calls, batched: a.batched };
  const batched = new Map(a.batched);
  for (const [key, n] of b.batched) batched.set(key, (batched.get(key) ?? 0) + times * n);
  return { calls: a.calls + times * b.calls, batched };
}

function max(a: Amount, b: Amount): Amount {
  const batched = new Map(a.batched);
  for (const [key, n] of b.batched) batched.set(key, Math.max(batched.get(key) ?? 0, n));
  return { calls: Math.max(a.calls, b.calls), batched };
}

function union(a: ReadonlySet<string>, b: ReadonlySet<string>): ReadonlySet<string> {
  if (b.size === 0 || a === b) return a;
  if (a.size === 0) return b;
  return new Set([...a, ...b]);
}

function merge(w: Walk, a: Tally, b: Tally): Tally {
  if (a === EMPTY) return b;
  spend(w, b.same.size + b.self.batched.size + b.owner.batched.size);
  let same = a.same;
  if (b.same.size > 0) {
    const merged = new Map(a.same);
    for (const [key, entry] of b.same) {
      const prior = merged.get(key);
      merged.set(key, prior ? { ...prior, groups: union(prior.groups, entry.groups) } : entry);
    }
    same = merged;
  }
  let keys = a.keys;
  if (b.keys.size > 0) {
    spend(w, b.keys.size);
    const merged = new Map(a.keys);
    for (const [key, n] of b.keys) merged.set(key, Math.max(merged.get(key) ?? 0, n));
    keys = merged;
  }
  return { self: add(a.self, b.self), owner: add(a.owner, b.owner), groups: union(a.groups, b.groups), same, keys };
}

/** What the groups read on one object of `type` cost, per object. */
function groupAmount(w: Walk, type: GraphQLObjectType, groups: ReadonlySet<string>, scope: CostScope): Amount {
  if (groups.size === 0) return ZERO;
  const declared = typeCost(type).groups ?? {};
  let amount = ZERO;
  for (const group of groups) {
    const cost: GroupCost | undefined = declared[group];
    if (cost === undefined) continue;
    if (typeof cost === 'number') amount = add(amount, { calls: count(cost, 'calls'), batched: NO_BATCH });
    else {
      const size = count(cost.batchSize, 'a batch size');
      if (size < 1) throw new BudgetUnknownError('a cost declaration gave a batch size below 1');
      const per = cost.per === undefined ? [] : typeof cost.per === 'string' ? [cost.per] : cost.per;
      // An entry the scope lacks could be any value: each such object is counted as a call of its own.
      const known = per.every((entry) => Object.hasOwn(scope, entry));
      const key = JSON.stringify([type.name, group, size, known ? per.map((entry) => scope[entry]) : null]);
      w.batchSizes.set(key, known ? size : 1);
      amount = add(amount, { calls: 0, batched: new Map([[key, 1]]) });
    }
  }
  return amount;
}

/** The whole cost of one object of `type` whose selections are `tally`, in its own units (owner links apart). */
function objectAmount(w: Walk, type: GraphQLObjectType, tally: Tally, scope: CostScope): Amount {
  let amount = add(tally.self, groupAmount(w, type, tally.groups, scope));
  for (const entry of tally.same.values()) amount = add(amount, groupAmount(w, entry.type, entry.groups, entry.scope));
  return amount;
}

/** Whether execution includes the node: graphql-js's own `shouldIncludeNode`, which throws where it would. */
function included(w: Walk, node: FieldNode | FragmentSpreadNode | InlineFragmentNode): boolean {
  try {
    if (getDirectiveValues(GraphQLSkipDirective, node, w.variables)?.if === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, node, w.variables)?.if !== false;
  } catch {
    throw new BudgetUnknownError('a @skip or @include condition cannot be evaluated with these variables');
  }
}

/** graphql-js's `doesFragmentConditionMatch`. */
function applies(w: Walk, condition: InlineFragmentNode['typeCondition'], type: GraphQLObjectType): boolean {
  if (!condition) return true;
  const conditional = typeFromAST(w.schema, condition);
  if (conditional === type) return true;
  return conditional !== undefined && isAbstractType(conditional) && w.schema.isSubType(conditional, type);
}

/** What a selection set costs on one object of `type`, memoised per set, type and scope. */
function walkSet(w: Walk, set: SelectionSetNode, type: GraphQLObjectType, scope: CostScope): Tally {
  let byContext = w.memo.get(set);
  if (!byContext) {
    byContext = new Map();
    w.memo.set(set, byContext);
  }
  const key = `${type.name}\n${scopeKey(w, scope)}`;
  const known = byContext.get(key);
  spend(w, 1);
  if (known === IN_PROGRESS) throw new BudgetUnknownError('fragments spread each other in a cycle');
  if (known) return known;
  byContext.set(key, IN_PROGRESS);
  let tally = EMPTY;
  for (const selection of set.selections) {
    spend(w, 1);
    if (!included(w, selection)) continue;
    if (selection.kind === Kind.FIELD) tally = merge(w, tally, walkField(w, selection, type, scope));
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (applies(w, selection.typeCondition, type)) tally = merge(w, tally, walkSet(w, selection.selectionSet, type, scope));
    } else {
      const fragment = w.fragments.get(selection.name.value);
      if (!fragment) throw new BudgetUnknownError(`fragment "${selection.name.value}" is not defined`);
      if (applies(w, fragment.typeCondition, type)) tally = merge(w, tally, walkSet(w, fragment.selectionSet, type, scope));
    }
  }
  byContext.set(key, tally);
  return tally;
}

/** The objects a field's value can be: its type, or for an abstract type each type it may resolve to. */
function objectTypes(w: Walk, field: GraphQLField<unknown, unknown>): readonly GraphQLObjectType[] {
  const named = getNamedType(field.type);
  if (isObjectType(named)) return [named];
  if (isAbstractType(named)) return w.schema.getPossibleTypes(named);
  throw new BudgetUnknownError(`field "${field.name}" has a selection set on a type that cannot have one`);
}

/** One object reached by a field: its type, its scope, and what its selections cost. */
interface Child {
  type: GraphQLObjectType;
  scope: CostScope;
  tally: Tally;
  /** Calls made to fetch this object (a node lookup). */
  calls: number;
}

/** The objects a field reaches: by decoded ID for node lookups, else each possible type (the costliest is kept). */
function children(
  w: Walk,
  node: FieldNode,
  field: GraphQLField<unknown, unknown>,
  cost: FieldCost,
  args: Record<string, unknown>,
  scope: CostScope,
): Child[] {
  const set = node.selectionSet;
  if (!set) return [];
  if (!cost.ids) return objectTypes(w, field).map((type) => ({ type, scope, tally: walkSet(w, set, type, scope), calls: 0 }));
  const found: Child[] = [];
  for (const id of cost.ids.list(args)) {
    spend(w, 1);
    let decoded: { typename: string; id: string };
    try {
      decoded = cost.ids.decode(String(id));
    } catch (error) {
      // The resolver decodes with the same function and refuses this ID before any call; where its error would
      // null a non-null field, and so its parent after siblings have paid, the operation is refused instead.
      if (isNonNullType(field.type) && error instanceof GraphQLError) throw new BudgetInputError(error);
      continue;
    }
    const type = w.schema.getType(decoded.typename);
    const load = isObjectType(type) ? typeCost(type).load : undefined;
    if (!isObjectType(type) || !load) throw new BudgetUnknownError(`an ID decodes to a type without a declared load cost`);
    const loaded = load(decoded.id);
    if (loaded === null) continue;
    const inner = loaded.scope ? { ...scope, ...loaded.scope } : scope;
    found.push({ type, scope: inner, tally: walkSet(w, set, type, inner), calls: count(loaded.calls, 'calls') });
  }
  return found;
}

/** The values one object's selections put in the response. */
function valuesOf(tally: Tally): number {
  let n = 0;
  for (const v of tally.keys.values()) n += v;
  return n;
}

/** What one field costs on one object of `parent`. */
function walkField(w: Walk, node: FieldNode, parent: GraphQLObjectType, scope: CostScope): Tally {
  const name = node.name.value;
  const responseKey = node.alias?.value ?? name;
  // Meta fields (__typename, and introspection on the root) never reach the upstream.
  if (name.startsWith('__')) return EMPTY;
  const field = parent.getFields()[name];
  if (!field) throw new BudgetUnknownError(`type "${parent.name}" has no field "${name}"`);
  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(field, node, w.variables);
  } catch (error) {
    // Execution coerces the arguments with this same function before resolving the field: it refuses the field,
    // which then costs nothing, nor does anything below it. A non-null field's refusal nulls its parent too, after
    // its siblings may have paid: such an operation is refused whole, before any call.
    if (error instanceof GraphQLError) {
      if (isNonNullType(field.type)) throw new BudgetInputError(error);
      return EMPTY;
    }
    throw error;
  }
  const cost = fieldCost(field);
  const own: Amount = { calls: cost.calls ? count(cost.calls(args, scope), 'calls') : 0, batched: NO_BATCH };
  const groups = cost.group === undefined ? NO_GROUPS : new Set([cost.group]);
  if (!node.selectionSet || isLeafType(getNamedType(field.type))) {
    const keys = new Map([[responseKey, 1]]);
    return cost.of === 'owner' ? { ...EMPTY, owner: own, groups, keys } : { ...EMPTY, self: own, groups, keys };
  }
  const fanOut = cost.fanOut ? count(cost.fanOut(args, scope), 'a fan-out') : 1;
  const inner = cost.scope ? { ...scope, ...cost.scope(args, scope) } : scope;
  const found = children(w, node, field, cost, args, inner);

  if (cost.identity && !cost.ids && !cost.of && fanOut === 1 && found.length === 1) {
    const [child] = found as [Child];
    const key = JSON.stringify([child.type.name, scopeKey(w, child.scope), cost.identity(args)]);
    // The child's own groups are made once per identity; the rest of its cost counts for each field.
    let self = add(own, child.tally.self);
    for (const entry of child.tally.same.values()) self = add(self, groupAmount(w, entry.type, entry.groups, entry.scope));
    return {
      self,
      owner: child.tally.owner,
      groups,
      same: new Map([[key, { type: child.type, scope: child.scope, groups: child.tally.groups }]]),
      keys: new Map([[responseKey, 1 + valuesOf(child.tally)]]),
    };
  }

  // One value per node ID (all of them are fetched); for an abstract type, the costliest type it may be.
  let perObject = ZERO;
  let ownerLinked = ZERO;
  let childValues = 0;
  for (const child of found) {
    childValues = cost.ids ? childValues + valuesOf(child.tally) : Math.max(childValues, valuesOf(child.tally));
    const amount = add(objectAmount(w, child.type, child.tally, child.scope), { calls: child.calls, batched: NO_BATCH });
    if (cost.ids) {
      perObject = add(perObject, amount);
      ownerLinked = add(ownerLinked, child.tally.owner);
    } else {
      perObject = max(perObject, amount);
      ownerLinked = max(ownerLinked, child.tally.owner);
    }
  }
  const below = add(own, perObject, fanOut);
  // A connection declares its page size as its fan-out, but its own fields are there even for an empty page.
  const keys = new Map([[responseKey, 1 + Math.max(1, fanOut) * childValues]]);
  if (cost.of === 'owner') return { ...EMPTY, owner: add(below, ownerLinked), groups, keys };
  if (cost.owns) return { ...EMPTY, self: add(below, ownerLinked), groups, keys };
  return { ...EMPTY, self: below, owner: ownerLinked, groups, keys };
}

/** Whole calls of an amount: batched objects rounded up to whole batches. */
function total(w: Walk, amount: Amount): number {
  let calls = amount.calls;
  for (const [key, n] of amount.batched) calls += Math.ceil(n / (w.batchSizes.get(key) ?? 1));
  // NaN would compare as "within any limit": refuse it rather than let it through.
  if (!(calls >= 0)) throw new BudgetUnknownError('the estimate is not a number');
  return Math.min(calls, Number.MAX_SAFE_INTEGER);
}

/**
 * The upper bound of upstream calls of the operation that will execute. An operation graphql-js will refuse before
 * resolving anything (no such operation, invalid variables, a root type the schema lacks) costs 0. Throws
 * BudgetUnknownError when the bound cannot be computed: the caller must then refuse the operation.
 */
export function estimateUpstreamCalls(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Readonly<Record<string, unknown>> | null | undefined,
): Estimate {
  // The same lookup as graphql-js's buildExecutionContext: by name, or the only operation; else execution refuses.
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return { calls: 0, work: 0, values: 0 };
  const root = schema.getRootType(operation.operation);
  if (!root) return { calls: 0, work: 0, values: 0 };
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) return { calls: 0, work: 0, values: 0 };
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const w: Walk = {
    schema,
    fragments,
    variables: coerced.coerced,
    memo: new WeakMap(),
    scopeKeys: new WeakMap(),
    batchSizes: new Map(),
    work: 0,
  };
  const scope: CostScope = {};
  const tally = walkSet(w, operation.selectionSet, root, scope);
  const all = valuesOf(tally);
  const values = Number.isFinite(all) ? Math.min(all, Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER;
  return { calls: total(w, add(objectAmount(w, root, tally, scope), tally.owner)), work: w.work, values };
}
