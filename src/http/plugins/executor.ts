import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import {
  getNamedType,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  isInputObjectType,
  Kind,
  OperationTypeNode,
  visit,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type Source,
  type TypeNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Which executor runs an operation: graphql-jit's compiled code, or Yoga's own (graphql-js semantics). */
export type ExecutorName = 'graphql-jit' | 'graphql-js';

export interface ExecutorOptions {
  /**
   * `auto` (the default): graphql-jit for every operation it runs exactly as graphql-js does, once the same document
   * is executed a second time; `graphql-js`: never compile; `graphql-jit`: compile on the first execution (the
   * differential test runs both ways).
   */
  mode?: 'auto' | 'graphql-js' | 'graphql-jit';
  /**
   * Tests only: also compile the operations graphql-jit coerces differently (variables of input-object types, non-null
   * variables with defaults), to show that the differential test catches what routing them to graphql-js avoids.
   */
  unsafeVariables?: boolean;
  /** Told which executor ran each execution (the benchmark reports it). */
  onExecutor?: (executor: ExecutorName, args: ExecutionArgs) => void;
}

const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));

/**
 * Why an operation cannot go to graphql-jit, or undefined when it can. The cases where graphql-jit 0.8 does not do
 * what graphql-js does; the differential test (test/property/executor.property.test.ts) holds the rest to
 * byte-identical responses:
 * - more than JIT_SELECTIONS_MAX selections once fragments are inlined (see inlinedSelections);
 * - several operations in the document: one compiled query is kept per document and operation name, and an operation
 *   chosen by name among several is left to graphql-js rather than trusted to the compiler's choice;
 * - any operation but a query (the schema has none; a subscription or mutation would stay with graphql-js);
 * - @defer/@stream anywhere in the document: graphql-jit has no incremental delivery;
 * - @skip/@include anywhere in the document: graphql-jit decides them at run time over fields collected at compile
 *   time, so a field that appears both skipped and not lands at another place in the response object than
 *   graphql-js puts it (same values, other key order);
 * - a variable of an input-object type, at any depth of lists: graphql-jit's compiled coercion does not apply the
 *   defaults of input-object fields given through variables, and recurses on deep input (a stack overflow on the
 *   deep filters the fuzz corpus sends);
 * - a non-null variable with a default value, which graphql-jit coerces differently when it is left out.
 */
export function jitRefusal(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  unsafeVariables = false,
): string | undefined {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) return 'several operations';
  const operation = getOperationAST(document, operationName);
  if (!operation) return 'no operation';
  if (operation.operation !== OperationTypeNode.QUERY) return operation.operation;
  if (inlinedSelections(document, operation, JIT_SELECTIONS_MAX) > JIT_SELECTIONS_MAX) return 'too large once fragments are inlined';
  for (const definition of unsafeVariables ? [] : (operation.variableDefinitions ?? [])) {
    if (definition.type.kind === Kind.NON_NULL_TYPE && definition.defaultValue !== undefined) return 'non-null variable with a default';
    const type = schema.getType(namedType(definition.type));
    if (type && isInputObjectType(getNamedType(type as GraphQLInputType))) return 'input-object variable';
  }
  let refusal: string | undefined;
  visit(document, {
    Directive(node) {
      const name = node.name.value;
      if (name === 'defer' || name === 'stream') refusal ??= 'incremental delivery';
      if (name === 'skip' || name === 'include') refusal ??= 'conditional selection';
    },
  });
  return refusal;
}

/**
 * The selections of the operation once its fragments are inlined, counted up to `limit` (then `limit + 1`): graphql-jit
 * generates code for every inlined selection, so a chain of fragments each spreading the next twice would compile to
 * code exponential in its length, where graphql-js only walks it. Bounded work: it stops at the limit.
 */
export function inlinedSelections(document: DocumentNode, operation: OperationDefinitionNode, limit: number): number {
  const fragments = new Map<string, SelectionSetNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d.selectionSet);
  let count = 0;
  const stack: SelectionSetNode[] = [operation.selectionSet];
  while (stack.length > 0 && count <= limit) {
    const set = stack.pop() as SelectionSetNode;
    for (const selection of set.selections) {
      count += 1;
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const spread = fragments.get(selection.name.value);
        if (spread) stack.push(spread);
      } else if (selection.selectionSet) stack.push(selection.selectionSet);
    }
  }
  return Math.min(count, limit + 1);
}

/** Operations larger than this, fragments inlined, stay with graphql-js (compiling them would cost more than it saves). */
export const JIT_SELECTIONS_MAX = 5000;

/** The character offset of a line and column in the source: how graphql-js's GraphQLError locates itself. */
function position(source: Source, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = source.body.indexOf('\n', offset);
    if (next < 0) break;
    offset = next + 1;
  }
  return offset + column - 1;
}

/**
 * graphql-jit's errors are objects of its own, with `locations` but no source positions; Yoga rebuilds every error
 * from its nodes, source and positions before serialising it, and would drop the locations. Each becomes the
 * graphql-js GraphQLError graphql-js would have made: same message, locations, path, original error and extensions.
 */
function asGraphQLError(error: GraphQLError, source: Source | undefined): GraphQLError {
  const locations = error.locations ?? [];
  return new GraphQLError(error.message, {
    ...(source && locations.length > 0 ? { source, positions: locations.map((l) => position(source, l.line, l.column)) } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(error.originalError ? { originalError: error.originalError } : {}),
    ...(error.extensions && Object.keys(error.extensions).length > 0 ? { extensions: error.extensions } : {}),
  });
}

/** A result as graphql-js shapes it: `errors` before `data` when there are errors (the serialised order). */
function asGraphQLJsResult(result: ExecutionResult, source: Source | undefined): ExecutionResult {
  if (!result.errors || result.errors.length === 0) return { data: result.data };
  return { errors: result.errors.map((e) => asGraphQLError(e, source)), data: result.data };
}

interface Choice {
  /** The compiled query, once compiled; null where graphql-jit does not run this operation. */
  compiled: CompiledQuery | null | undefined;
  seen: number;
  operation: OperationDefinitionNode | undefined;
  /** The variables that have a default: an explicit null for one of them goes to graphql-js. */
  defaulted: string[];
}

/**
 * graphql-jit for the operations it executes exactly as graphql-js does, graphql-js (Yoga's executor) for the rest.
 * The choice and the compiled code are made once per parsed document and operation name and kept with the document
 * (Yoga's parse cache hands out the same DocumentNode for the same text), so a document the cache evicts takes both
 * with it. In `auto` mode a document is compiled when it is executed a second time: a one-off text (a hostile client
 * sending unique documents) costs no compilation.
 *
 * graphql-jit is used directly rather than through @envelop/graphql-jit: that plugin keeps one compiled query per
 * document whatever the operation name, and gives no place to check variables first or to shape results and errors
 * as graphql-js does, which byte-identical responses need.
 *
 * Per request, before the compiled code runs, the variables are coerced with graphql-js: if that fails, or a variable
 * with a default is sent as null, graphql-js executes the request, so variable errors are graphql-js's own.
 */
export function useExecutor(options: ExecutorOptions = {}): Plugin {
  const mode = options.mode ?? 'auto';
  const onExecutor = options.onExecutor;
  if (mode === 'graphql-js') return onExecutor ? { onExecute: ({ args }) => void onExecutor('graphql-js', args) } : {};
  const threshold = mode === 'auto' ? 2 : 1;
  const choices = new WeakMap<DocumentNode, Map<string, Choice>>();

  const choose = (args: ExecutionArgs): Choice => {
    let byName = choices.get(args.document);
    if (!byName) choices.set(args.document, (byName = new Map<string, Choice>()));
    const key = args.operationName ?? '';
    let choice = byName.get(key);
    if (!choice) {
      const refused = jitRefusal(args.schema, args.document, args.operationName, options.unsafeVariables);
      const operation = getOperationAST(args.document, args.operationName) ?? undefined;
      const defaulted = (operation?.variableDefinitions ?? [])
        .filter((d) => d.defaultValue !== undefined)
        .map((d) => d.variable.name.value);
      choice = { compiled: refused ? null : undefined, seen: 0, operation, defaulted };
      byName.set(key, choice);
    }
    choice.seen += 1;
    if (choice.compiled === undefined && choice.seen >= threshold) {
      const compiled = compileQuery(args.schema, args.document, args.operationName ?? undefined, {
        // Errors graphql-jit makes itself (a null in a non-null field) need no stack: no response or log shows it.
        disablingCapturingStackErrors: true,
      });
      choice.compiled = isCompiledQuery(compiled) ? compiled : null;
    }
    return choice;
  };

  /** Whether this request's variables are exactly what graphql-jit coerces as graphql-js does. */
  const variablesFit = (args: ExecutionArgs, choice: Choice): boolean => {
    const raw = (args.variableValues ?? {}) as Record<string, unknown>;
    for (const name of choice.defaulted) if (raw[name] === null) return false;
    const definitions = choice.operation?.variableDefinitions ?? [];
    if (definitions.length === 0) return true;
    return !('errors' in getVariableValues(args.schema, definitions, raw, { maxErrors: 1 }));
  };

  return {
    onExecute(payload) {
      const args = payload.args as ExecutionArgs;
      const execute = payload.executeFn as (executionArgs: ExecutionArgs) => Promise<unknown>;
      const choice = choose(args);
      const compiled = choice.compiled;
      if (!compiled || !variablesFit(args, choice)) {
        onExecutor?.('graphql-js', args);
        return;
      }
      onExecutor?.('graphql-jit', args);
      const source = args.document.loc?.source;
      payload.setExecuteFn(async (executionArgs: ExecutionArgs) => {
        // Compiled for this document and operation; anything else (a plugin that swapped them) goes the general way.
        if (executionArgs.document !== args.document || executionArgs.operationName !== args.operationName) return execute(executionArgs);
        const result = await compiled.query(executionArgs.rootValue, executionArgs.contextValue, executionArgs.variableValues);
        return asGraphQLJsResult(result, source);
      });
    },
  };
}
