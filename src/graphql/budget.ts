import {
  getArgumentValues,
  getVariableValues,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from './pagination.js';

/**
 * An upper bound of the upstream calls an operation can make, computed from the document and its variables before
 * anything runs. Hand-written because one upstream call serves every summary field of a Target, which per-field
 * cost plugins (Pothos complexity, graphql-armor cost limits) cannot express: they would count a Target's twenty
 * summary fields as twenty calls.
 *
 * The rules mirror the resolvers:
 * - a Target costs one summary call if any summary field is selected on it (root targets with equal arguments share
 *   one, as their loader does);
 * - a connection page costs one call (two for `last` without `before`);
 * - inside a page, selections are multiplied by the page size (`first`/`last`, default 25): `asTarget` under a page
 *   of N counts N; `target` of a referring domain is the connection's own target, and `links { target }` of an
 *   intersection are the queried targets;
 * - `node`/`nodes` cost one call per ReferringDomain or Intersection ID, none per Target ID;
 * - aliases count separately (deduplication can only lower the real figure), `@skip`/`@include` are ignored.
 */

const CONNECTIONS: Readonly<Record<string, string>> = { 'Target.referringDomains': 'ReferringDomain', 'Target.intersection': 'Intersection', 'Query.domainIntersection': 'Intersection' };
/** Target fields that need no summary call. */
const TARGET_FREE_FIELDS = new Set(['id', 'target', 'referringDomains', 'intersection', '__typename']);

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  rootSummaries: Set<string>;
}

function nodeTypeOf(id: unknown): string | undefined {
  if (typeof id !== 'string') return undefined;
  const decoded = Buffer.from(id, 'base64').toString('utf8');
  return decoded.slice(0, Math.max(0, decoded.indexOf(':')));
}

function pageSize(args: Record<string, unknown>): number {
  const size = typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : PAGE_SIZE_DEFAULT;
  return Math.min(PAGE_SIZE_MAX, Math.max(0, size));
}

function pageCalls(args: Record<string, unknown>): number {
  return typeof args.last === 'number' && args.before == null ? 2 : 1;
}

/** Whether `typeName` satisfies a fragment's type condition (itself, or an interface it implements). */
function applies(w: Walk, typeName: string, condition: string | undefined): boolean {
  if (!condition || condition === typeName) return true;
  const type = w.schema.getType(typeName);
  return isObjectType(type) && type.getInterfaces().some((i) => i.name === condition);
}

/** The field nodes of a selection set on a concrete type, fragments expanded. */
function* fields(w: Walk, set: SelectionSetNode, typeName: string): Generator<FieldNode> {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) yield selection;
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (applies(w, typeName, selection.typeCondition?.name.value)) yield* fields(w, selection.selectionSet, typeName);
    } else {
      const fragment = w.fragments.get(selection.name.value);
      if (fragment && applies(w, typeName, fragment.typeCondition.name.value)) yield* fields(w, fragment.selectionSet, typeName);
    }
  }
}

/**
 * Calls made by a selection set on `typeName`, each counted `multiplier` times. `owner` is the multiplier of the
 * Target (or query) that owns the current connection, for links back to it.
 */
interface WalkContext {
  /** How many targets the current intersection has. */
  intersectionTargets?: number;
  /** The page size of the current connection. */
  pageSize?: number;
  /** Set for root targets: equal arguments share one summary. */
  rootKey?: string;
}

function walk(w: Walk, set: SelectionSetNode | undefined, typeName: string, multiplier: number, owner: number, ctx: WalkContext = {}): number {
  if (!set || multiplier === 0) return 0;
  const type = w.schema.getType(typeName);
  if (!isObjectType(type) && !isInterfaceType(type)) return 0;
  const fieldMap = (type as GraphQLObjectType).getFields();
  let calls = 0;
  let needsSummary = false;
  for (const node of fields(w, set, typeName)) {
    const name = node.name.value;
    const def = fieldMap[name];
    if (!def) continue;
    const args = getArgumentValues(def, node, w.variables);
    const key = `${typeName}.${name}`;
    if (typeName === 'Target' && !TARGET_FREE_FIELDS.has(name)) needsSummary = true;
    const item = CONNECTIONS[key];
    if (item) {
      const size = pageSize(args);
      const targets = key === 'Target.intersection' ? (Array.isArray(args.others) ? args.others.length : 0) + 1 : Array.isArray(args.targets) ? args.targets.length : 0;
      calls += multiplier * pageCalls(args) + walk(w, node.selectionSet, `${item}Connection`, multiplier, multiplier, { intersectionTargets: targets, pageSize: size });
      continue;
    }
    switch (key) {
      case 'Query.target':
        calls += walk(w, node.selectionSet, 'Target', multiplier, multiplier, { rootKey: JSON.stringify(args) });
        break;
      case 'Query.targets':
        calls += walk(w, node.selectionSet, 'Target', multiplier * new Set(Array.isArray(args.targets) ? args.targets : []).size, multiplier);
        break;
      case 'Query.node':
      case 'Query.nodes':
        for (const id of name === 'node' ? [args.id] : Array.isArray(args.ids) ? args.ids : []) {
          const nodeType = nodeTypeOf(id);
          if (nodeType !== 'Target' && nodeType !== 'ReferringDomain' && nodeType !== 'Intersection') continue;
          calls += (nodeType === 'Target' ? 0 : multiplier) + walk(w, node.selectionSet, nodeType, multiplier, multiplier, { intersectionTargets: 20 });
        }
        break;
      case 'ReferringDomainConnection.nodes':
      case 'IntersectionConnection.nodes':
      case 'ReferringDomainConnection.edges':
      case 'IntersectionConnection.edges': {
        const size = ctx.pageSize ?? PAGE_SIZE_DEFAULT;
        const itemType = typeName.replace('Connection', '');
        calls += name === 'nodes' ? walk(w, node.selectionSet, itemType, multiplier * size, owner, ctx) : walk(w, node.selectionSet, `${itemType}Edge`, multiplier * size, owner, ctx);
        break;
      }
      case 'ReferringDomainEdge.node':
      case 'IntersectionEdge.node':
        calls += walk(w, node.selectionSet, typeName.replace('Edge', ''), multiplier, owner, ctx);
        break;
      case 'ReferringDomain.asTarget':
      case 'Intersection.asTarget':
        calls += walk(w, node.selectionSet, 'Target', multiplier, multiplier);
        break;
      case 'ReferringDomain.target':
        calls += walk(w, node.selectionSet, 'Target', owner, owner);
        break;
      case 'Intersection.links':
        calls += walk(w, node.selectionSet, 'IntersectionLink', multiplier, owner, ctx);
        break;
      case 'IntersectionLink.target':
        calls += walk(w, node.selectionSet, 'Target', owner * (ctx.intersectionTargets ?? 20), owner);
        break;
      default:
        break;
    }
  }
  if (needsSummary) {
    if (ctx.rootKey === undefined) calls += multiplier;
    else if (!w.rootSummaries.has(ctx.rootKey)) {
      w.rootSummaries.add(ctx.rootKey);
      calls += multiplier;
    }
  }
  return calls;
}

/**
 * The upper bound of upstream calls of the operation, or null when the operation or its variables are invalid
 * (execution then refuses it before any call).
 */
export function estimateUpstreamCalls(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, rawVariables: Readonly<Record<string, unknown>> | null | undefined): number | null {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation || operation.operation !== 'query') return operation ? 0 : null;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) return null;
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  try {
    return walk({ schema, fragments, variables: coerced.coerced, rootSummaries: new Set() }, operation.selectionSet, 'Query', 1, 1);
  } catch {
    // Invalid arguments: execution will refuse them, at no cost.
    return null;
  }
}
