import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError, type ExecutionResult, type ValidationRule } from 'graphql';
import { clipQuoted } from '../../graphql/input-errors.js';
import type { Plugin } from 'graphql-yoga';
import { requestError } from './body-limit.js';
import { UpstreamError } from '../../dataforseo/errors.js';
import { maskError } from '../mask-error.js';

/** The header that proves a request is not a "simple" cross-site one (any value). */
export const CSRF_HEADER = 'x-graphql-csrf';

/**
 * Yoga's CSRF prevention, whose 403 says what to send and carries a code. Browsers may send "simple" cross-site
 * requests without a preflight; a GraphQL request must prove it is not one, by a JSON content type (which forces a
 * preflight) or this header. The plugin's own hook decides; only its refusal is reworded.
 */
export function useCsrfPrevention(): Plugin {
  const csrf = useCSRFPrevention({ requestHeaders: [CSRF_HEADER] });
  return {
    onRequestParse(payload) {
      try {
        return csrf.onRequestParse?.(payload);
      } catch {
        throw requestError(
          403,
          'CSRF_PREVENTED',
          `Cross-site request refused: send the header ${CSRF_HEADER} (any value), or a POST with content-type application/json.`,
        );
      }
    },
  };
}

/**
 * The schema has no mutation or subscription type: an operation of that type is refused while validating (as
 * graphql-js 17's KnownOperationTypesRule does), not at execution with no code.
 */
const KnownOperationTypes: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (context.getSchema().getRootType(node.operation)) return;
    context.reportError(new GraphQLError(`This API only reads: the schema has no ${node.operation} type. Send a query.`, { nodes: node }));
  },
});

/** graphql-js's "Did you mean …?" names schema fields; suggestions stay hidden in variable errors too. */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

/** The same error with another message: locations, path and extensions kept. */
function withMessage(error: GraphQLError, message: string): GraphQLError {
  return new GraphQLError(message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(error.originalError ? { originalError: error.originalError } : {}),
    extensions: error.extensions,
  });
}

/**
 * A result without `data` is a request the executor refused before running it: variables that do not coerce to
 * their types. Its errors become BAD_USER_INPUT (400 under graphql-response+json), without field suggestions.
 */
function codeVariableErrors(result: ExecutionResult): ExecutionResult | undefined {
  if ('data' in result || !result.errors?.length) return undefined;
  const errors = result.errors.map((error) =>
    error.extensions.code !== undefined
      ? error
      : new GraphQLError(clipQuoted(error.message.replace(SUGGESTION, '')), {
          ...(error.nodes ? { nodes: error.nodes } : {}),
          extensions: { ...error.extensions, code: 'BAD_USER_INPUT', http: { status: 400, spec: true } },
        }),
  );
  return { ...result, errors };
}

/** Codes for the request errors the libraries leave uncoded: unsupported operation types and variable coercion. */
export function useRequestErrorCodes(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(KnownOperationTypes);
      // graphql-armor's block-field-suggestions covers unknown fields only; enum values, arguments and types are
      // suggested by other rules ("Did you mean the enum value …?"), so every validation message is cleaned here;
      // and names or values it quotes whole (a 90 KB field name is one token) are clipped.
      return ({ valid, result, setResult }) => {
        const errors = result as readonly GraphQLError[];
        const clean = (message: string) => clipQuoted(message.replace(SUGGESTION, ''));
        if (valid || !errors.some((error) => clean(error.message) !== error.message)) return;
        setResult(errors.map((error) => (clean(error.message) !== error.message ? withMessage(error, clean(error.message)) : error)));
      };
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const coded = codeVariableErrors(result);
          if (coded) setResult(coded);
        },
      };
    },
  };
}

/** The upstream failure behind an error, whichever of masking and this plugin ran first. */
function failureOf(error: GraphQLError): UpstreamError | undefined {
  const original = error.originalError;
  if (original instanceof UpstreamError) return original;
  return original instanceof GraphQLError && original.originalError instanceof UpstreamError ? original.originalError : undefined;
}

/** The errors of one result (or one incremental part) with those of one failed task merged; undefined if none were. */
function oneErrorPerFailure(errors: readonly GraphQLError[] | undefined): GraphQLError[] | undefined {
  if (!errors || errors.length < 2) return undefined;
  const groups = new Map<UpstreamError, { first: GraphQLError; paths: (readonly (string | number)[])[] }>();
  const kept: (GraphQLError | { failure: UpstreamError })[] = [];
  for (const error of errors) {
    const failure = failureOf(error);
    if (!failure) {
      kept.push(error);
      continue;
    }
    const group = groups.get(failure);
    if (group) {
      if (error.path) group.paths.push(error.path);
      continue;
    }
    groups.set(failure, { first: error, paths: error.path ? [error.path] : [] });
    kept.push({ failure });
  }
  if (kept.length === errors.length) return undefined;
  return kept.map((entry) => {
    if (entry instanceof GraphQLError) return entry;
    const { first, paths } = groups.get(entry.failure) as { first: GraphQLError; paths: (readonly (string | number)[])[] };
    if (paths.length < 2) return first;
    return new GraphQLError(first.message, {
      ...(first.nodes ? { nodes: first.nodes } : {}),
      ...(first.path ? { path: first.path } : {}),
      originalError: entry.failure,
      extensions: { ...first.extensions, paths },
    });
  });
}

/** One part of an incremental (@defer/@stream) result: its own errors, and those of each incremental entry. */
interface Part {
  errors?: readonly GraphQLError[];
  incremental?: readonly { errors?: readonly GraphQLError[] }[];
}

/**
 * An error as every response shows it: coded, or masked. Yoga masks the errors of a single result and of a part's
 * top level, but not those inside `incremental` entries (@defer/@stream): those are masked here, with the same
 * function, so that a deferred failure is coded like any other and an internal error never shows its message.
 */
function masked(error: GraphQLError): GraphQLError {
  return error.extensions.code === undefined ? (maskError(error, 'Unexpected error.') as GraphQLError) : error;
}

function partWithOneErrorPerFailure<T extends Part>(part: T): T {
  const errors = oneErrorPerFailure(part.errors);
  let incremental = part.incremental;
  if (incremental?.some((entry) => (entry.errors?.length ?? 0) > 0)) {
    incremental = incremental.map((entry) => {
      if (!entry.errors?.length) return entry;
      return { ...entry, errors: (oneErrorPerFailure(entry.errors) ?? entry.errors).map(masked) };
    });
  }
  return errors || incremental !== part.incremental
    ? { ...part, ...(errors ? { errors } : {}), ...(incremental ? { incremental } : {}) }
    : part;
}

async function* eachPart<T extends Part>(parts: AsyncIterable<T>): AsyncGenerator<T> {
  for await (const part of parts) yield partWithOneErrorPerFailure(part);
}

/**
 * One error per failed upstream task: every field that read a failed summary gets the same failure, and seven
 * identical errors say nothing more than one. The first keeps its `path`; `extensions.paths` lists every field the
 * failure nulled, in order. Errors of distinct tasks stay apart even when their messages are equal. In an
 * incremental (@defer/@stream) result, within each part.
 */
export function useOneErrorPerFailure(): Plugin {
  return {
    onExecutionResult({ result, setResult }) {
      if (!result) return;
      if (Symbol.asyncIterator in result) {
        setResult(eachPart(result as AsyncIterable<Part>));
        return;
      }
      const errors = oneErrorPerFailure(result.errors);
      if (errors) setResult({ ...result, errors });
    },
  };
}
