import {
  defaultFieldResolver,
  getNamedType,
  isAbstractType,
  isLeafType,
  isObjectType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import type { FieldCost, TypeCost } from '../../src/graphql/cost.js';
import { schema } from '../../src/graphql/schema/index.js';
import { useSandboxApp } from '../helpers/sandbox.js';

/**
 * A paid field must say so where it is defined. Every field whose declaration (with its type's) does not make it
 * cost anything gets a context whose `loaders` record the field when touched; an operation generated from the schema
 * that selects every field, with valid arguments, runs against the sandbox, and no undeclared field may have
 * touched a loader. (This file rewires the schema's resolvers; vitest runs each file in its own module graph.)
 */
const touched = new Set<string>();

function declaresCost(parent: GraphQLObjectType, field: GraphQLField<unknown, unknown>): boolean {
  const cost = field.extensions.cost as FieldCost | undefined;
  const groups = (parent.extensions.cost as TypeCost | undefined)?.groups ?? {};
  return !!cost && (cost.calls !== undefined || cost.ids !== undefined || (cost.group !== undefined && groups[cost.group] !== undefined));
}

const undeclared: string[] = [];
for (const type of Object.values(schema.getTypeMap())) {
  if (!isObjectType(type) || type.name.startsWith('__')) continue;
  for (const field of Object.values(type.getFields())) {
    if (declaresCost(type, field)) continue;
    const coordinate = `${type.name}.${field.name}`;
    undeclared.push(coordinate);
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context: object, info) => {
      const trapped = new Proxy(context, {
        get(target, key, receiver) {
          if (key === 'loaders') touched.add(coordinate);
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
      return resolve(source, args, trapped, info);
    };
  }
}

const env = useSandboxApp({ maxConcurrency: 10_000, maxPerMinute: 10_000_000 }, 'dataforseo', {
  security: { maxDepth: 1000, maxTokens: 1_000_000, maxAliases: 100_000, maxDirectives: 10_000, maxBodyBytes: 10_000_000 },
});

const encodeGlobalID = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString('base64');
const ids = {
  Target: encodeGlobalID('Target', JSON.stringify(['backlinko.com', {}])),
  ReferringDomain: encodeGlobalID('ReferringDomain', JSON.stringify(['backlinko.com', {}, 'deltagroveblog.com'])),
  Intersection: encodeGlobalID('Intersection', JSON.stringify([['ahrefs.com', 'moz.com'], [], 'all', {}, 'deltagroveblog.com', '1'])),
};
/** A valid value for every argument the generated operation passes (required ones, and small pages). */
const ARGUMENTS: Record<string, string> = {
  target: '"backlinko.com"',
  targets: '["ahrefs.com", "moz.com"]',
  others: '["moz.com"]',
  first: '2',
  id: JSON.stringify(ids.ReferringDomain),
  ids: JSON.stringify(Object.values(ids)),
};

const selected = new Set<string>();
/** Selects every field of `type`; a type already on the path gets `__typename` only, so the walk ends. */
function select(type: GraphQLNamedType, path: readonly string[]): string {
  if (isAbstractType(type))
    return `__typename ${schema
      .getPossibleTypes(type)
      .map((t) => `... on ${t.name} { ${select(t, path)} }`)
      .join(' ')}`;
  if (!isObjectType(type)) return '';
  if (path.includes(type.name)) return '__typename';
  const fields = Object.values(type.getFields()).map((field) => {
    selected.add(`${type.name}.${field.name}`);
    const given = field.args.filter((a) => a.name in ARGUMENTS && (a.name === 'first' || String(a.type).endsWith('!')));
    const list = given.length > 0 ? `(${given.map((a) => `${a.name}: ${ARGUMENTS[a.name]}`).join(', ')})` : '';
    const named = getNamedType(field.type);
    // Aliased by type, so that the same name on two types of one abstract selection does not conflict.
    const alias = `${type.name}_${field.name}: ${field.name}${list}`;
    return isLeafType(named) ? alias : `${alias} { ${select(named, [...path, type.name])} }`;
  });
  return fields.join(' ');
}

describe('every paid field declares its cost', () => {
  it('no undeclared field touches a loader when every field of the schema is selected', { timeout: 60_000 }, async () => {
    const query = `{ ${select(schema.getQueryType() as GraphQLObjectType, [])} }`;
    const { body } = await env.app.execute(query);
    expect(body.errors ?? []).toEqual([]);
    expect(env.sandbox.stats().calls).toBeGreaterThan(0);
    expect(body.extensions.cost.upstreamCalls).toBeLessThanOrEqual(body.extensions.cost.estimatedUpstreamCalls);
    // The operation covered every field of every type reachable from Query.
    const reachable = Object.values(schema.getTypeMap()).filter(
      (t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__') && t.name !== 'PageInfo',
    );
    for (const type of reachable)
      for (const name of Object.keys(type.getFields())) expect(selected, `${type.name}.${name}`).toContain(`${type.name}.${name}`);
    expect(undeclared.length).toBeGreaterThan(0);
    expect([...touched]).toEqual([]);
  });
});
