import { readFileSync } from 'node:fs';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema/index.js';

describe('the public contract', () => {
  it('schema/schema.graphql is the built schema (run `npm run codegen` after changing it)', () => {
    const committed = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed.trim()).toBe(printSchema(schema).trim());
  });

  it('describes every type, field, argument and enum value', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : [])
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isEnumType(type)) for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
    }
    expect(missing).toEqual([]);
  });

  it('keeps the names of the design sketch', () => {
    const sdl = printSchema(schema);
    for (const name of [
      'Target',
      'ReferringDomain',
      'Intersection',
      'IntersectionLink',
      'LinkProfile',
      'LinkBreakdown',
      'KeyCount',
      'TargetInfo',
      'BacklinkOptions',
      'BacklinkStatus',
      'RankScale',
      'IntersectionMode',
      'ReferringDomainConnection',
      'ReferringDomainEdge',
      'IntersectionConnection',
      'IntersectionEdge',
      'PageInfo',
      'Node',
      'DateTime',
    ]) {
      expect(sdl).toMatch(new RegExp(`(type|interface|input|enum|scalar) ${name}\\b`));
    }
  });
});
