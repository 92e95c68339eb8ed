import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError, type ExecutionResult, type ValidationRule } from 'graphql';
import { clipQuoted } from '../../graphql/input-errors.js';
import type { Plugin } from 'graphql-yoga';
import { requestError } from './body-limit.js';

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
