import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from './pagination.js';

/**
 * The vocabulary in which a field or a type declares its upstream cost, where it is defined (`extensions: { cost }`).
 * The budget estimator (budget.ts) is a generic walker over these declarations and knows no type or field by name.
 * A field without a declaration is free: it costs what its selections cost, once per parent object.
 */

/** Coerced arguments of a field, exactly as graphql-js hands them to the resolver. */
export type CostArgs = Readonly<Record<string, unknown>>;

/** Values a subtree's declarations may read, set by an enclosing field (how many targets an intersection queried). */
export type CostScope = Readonly<Record<string, number | string>>;

/** The upstream cost of a field: put it on the field as `extensions: costs({...})`. */
export interface FieldCost {
  /** Upstream calls the field makes once per parent object (a connection page: 1). Default 0. */
  calls?: (args: CostArgs, scope: CostScope) => number;
  /**
   * The field reads a value that one call per parent object serves to every field of the same group (a Target's
   * summary fields). What the group costs is declared by the parent type (`TypeCost.groups`): nothing where the
   * value is at hand already.
   */
  group?: string;
  /** How many objects the field returns per parent (a page size, distinct targets); default 1. */
  fanOut?: (args: CostArgs, scope: CostScope) => number;
  /** 'owner': the objects belong to the owner of the enclosing connection, not to each item (a link back to it). */
  of?: 'owner';
  /** The field starts a new owner: fields below it with `of: 'owner'` link back to this field's parent. */
  owns?: boolean;
  /** Values below this field may read, merged over the enclosing scope. */
  scope?: (args: CostArgs, scope: CostScope) => CostScope;
  /** Sibling fields with equal identity return the same object, so its group calls are made once (root targets). */
  identity?: (args: CostArgs) => string;
  /**
   * node/nodes: the global IDs whose decoded type decides which object each is, and so its cost (`TypeCost.load`).
   * `decode` must be the decoder the resolver uses; an ID it refuses costs nothing (the resolver refuses it too).
   */
  ids?: { list: (args: CostArgs) => readonly unknown[]; decode: (globalId: string) => { typename: string; id: string } };
}

/**
 * Calls per object for one group, or, for a bulk endpoint, objects per call: one call per `batchSize` objects per
 * distinct value of the scope entries named by `per` (a scope without one of them is a batch of its own).
 */
export type GroupCost = number | { batchSize: number; per?: string | readonly string[] };

/** The upstream cost of an object type: put it on the type as `extensions: costs({...})`. */
export interface TypeCost {
  /**
   * What each group its fields read costs on an object of this type: a number of calls per object, or a batch
   * (`{ batchSize: 1000, per: 'rankScale' }`: one call per 1000 objects per distinct value of the scope entry `rankScale`).
   */
  groups?: Readonly<Record<string, GroupCost>>;
  /**
   * What fetching one object by the local part of its global ID costs, decided by the same validators the type's
   * `loadOne` uses; null when they refuse the ID (then no call is made).
   */
  load?: (id: string) => { calls: number; scope?: CostScope } | null;
}

/** The `extensions` of a field or type that declares its cost. */
export function costs<T extends FieldCost | TypeCost>(cost: T): { cost: T } {
  return { cost };
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

/** The items a page can hold, as the connection resolver computes it (values it refuses count as the maximum). */
export function pageSize(args: CostArgs): number {
  const first = isCount(args.first) ? args.first : undefined;
  const last = isCount(args.last) ? args.last : undefined;
  const size = first === undefined && last === undefined ? PAGE_SIZE_DEFAULT : Math.max(first ?? 0, last ?? 0);
  return Math.min(PAGE_SIZE_MAX, Math.max(0, size));
}

/**
 * A Relay connection over an offset-paged endpoint: one call per page, two for `last` without `before` (the total
 * is needed first); its items are counted page-size times, and they link back to the connection's parent.
 */
export function pageCost(scope?: FieldCost['scope']): FieldCost {
  return {
    // Truthiness, as the resolver reads `before`: an empty cursor is no cursor.
    calls: (args) => (isCount(args.last) && !args.before ? 2 : 1),
    fanOut: pageSize,
    owns: true,
    ...(scope ? { scope } : {}),
  };
}
