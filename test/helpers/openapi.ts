import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * Validators for the official OpenAPI description of the DataForSEO Backlinks API (a copy of
 * shared/contracts/dataforseo-backlinks.openapi.json, 2026-02, kept in test/fixtures so the repository tests alone).
 *
 * The description is generated from the upstream's typed clients and is wrong in three documented places, which
 * are patched here and nowhere else:
 * - `filters` / `backlinks_filters` items are declared `object`, but the documented values are condition arrays
 *   (`["rank", ">", 500]`) and the words "and"/"or": items accept any JSON;
 * - task `data` values are declared `object`, but the upstream echoes the request there (strings, numbers): any JSON;
 * - `nullable: true` beside a `oneOf` cannot accept null in JSON Schema: rewritten as `anyOf [null, …]`.
 * Request schemas are also closed (`additionalProperties: false`), so a misspelt or unknown field fails.
 */

type Schema = Record<string, unknown>;
const spec = JSON.parse(readFileSync(new URL('../fixtures/dataforseo-backlinks.openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content: Record<string, { schema: Schema }> };
        responses: Record<string, { content: Record<string, { schema: Schema }> }>;
      }
    >
  >;
  components: { schemas: Record<string, Schema> };
};

function patch(node: unknown, key = ''): unknown {
  if (Array.isArray(node)) return node.map((n) => patch(n));
  if (typeof node !== 'object' || node === null) return node;
  const schema = node as Schema;
  if ((key === 'filters' || key === 'backlinks_filters') && schema.type === 'array') return { type: 'array', nullable: true };
  if (key === 'data' && schema.additionalProperties) return { type: 'object', nullable: true };
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'description' || k === 'example') continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([name, s]) => [name, patch(s, name)])) : patch(v);
  }
  if (out.nullable === true && Array.isArray(out.oneOf)) {
    const { oneOf, nullable: _n, type: _t, ...rest } = out;
    return { ...rest, anyOf: [{ type: 'null' }, ...(oneOf as unknown[])] };
  }
  return out;
}

const components = Object.fromEntries(
  Object.entries(spec.components.schemas).map(([name, schema]) => {
    const patched = patch(schema) as Schema;
    return [name, name.endsWith('RequestInfo') ? { ...patched, additionalProperties: false } : patched];
  }),
);

const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addFormat('int64', true);
ajv.addFormat('double', true);
ajv.addSchema({ $id: 'openapi', components: { schemas: components } });

function ref(schema: Schema): string {
  const oneOf = (schema.items as Schema | undefined)?.oneOf ?? schema.oneOf;
  const target = ((oneOf as Schema[] | undefined)?.[0]?.$ref ?? '') as string;
  return target.replace('#/components/schemas/', '');
}

const cache = new Map<string, ValidateFunction>();
function validator(name: string): ValidateFunction {
  let v = cache.get(name);
  if (!v) {
    v = ajv.compile({ $ref: `openapi#/components/schemas/${name}` });
    cache.set(name, v);
  }
  return v;
}

function operation(endpoint: string) {
  const op = spec.paths[`/v3/backlinks/${endpoint}/live`]?.post;
  if (!op) throw new Error(`no such endpoint in the contract: ${endpoint}`);
  return op;
}

/** The validation errors of one task sent to `endpoint` (empty when valid). */
export function requestErrors(endpoint: string, task: unknown): string[] {
  const schema = operation(endpoint).requestBody?.content['application/json']?.schema ?? {};
  const validate = validator(ref(schema));
  return validate(task) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/** The validation errors of a response body of `endpoint` (empty when valid). */
export function responseErrors(endpoint: string, body: unknown): string[] {
  const schema = operation(endpoint).responses['200']?.content['application/json']?.schema ?? {};
  const validate = validator(ref(schema));
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/** Every live endpoint the contract describes. */
export const CONTRACT_ENDPOINTS = Object.keys(spec.paths)
  .map((p) => /^\/v3\/backlinks\/([a-z_]+)\/live$/.exec(p)?.[1])
  .filter((e): e is string => e !== undefined);
