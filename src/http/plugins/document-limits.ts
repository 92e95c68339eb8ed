import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError, Lexer, Source, TokenKind, type DocumentNode, type ParseOptions, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { SecurityConfig } from '../../ops/config.js';

/**
 * How deep brackets of any kind may nest in a document. Not a setting: a stack-safety bound far above anything
 * MAX_DEPTH and MAX_INPUT_DEPTH let through, and far below the ~1 500 levels at which graphql-js's recursive parser
 * (and the validators after it) overflow the stack.
 */
export const DOCUMENT_NESTING_MAX = 128;

type Limit = 'MAX_TOKENS' | 'MAX_DEPTH' | 'MAX_ALIASES' | 'MAX_DIRECTIVES' | 'MAX_INPUT_DEPTH' | 'DOCUMENT_NESTING';

/** A document over one of the limits: LIMIT_EXCEEDED, naming the limit (its environment variable) and its value. */
export function limitExceeded(
  limit: Limit,
  max: number,
  message: string,
  found?: number,
  at?: { source: Source; position: number },
): GraphQLError {
  return new GraphQLError(message, {
    ...(at ? { source: at.source, positions: [at.position] } : {}),
    extensions: { code: 'LIMIT_EXCEEDED', limit, max, ...(found !== undefined ? { found } : {}), http: { status: 400, spec: true } },
  });
}

/**
 * graphql-armor reports a limit as a "Syntax Error: …" with no code (which Yoga answers with 200). Its `onReject`
 * hook throws a coded error in its place, with the status of a request error. Thrown, not reported: the rest of
 * validation (some rules are quadratic in the fields) does not run on a document already refused.
 */
function throwCoded(limit: Limit, max: number) {
  return {
    onReject: [
      (_context: ValidationContext | null, error: GraphQLError) => {
        const found = /found (\d+)/.exec(error.message)?.[1];
        throw limitExceeded(
          limit,
          max,
          `${error.message.replace(/^Syntax Error: /, '')} (${limit})`,
          found === undefined ? undefined : Number(found),
        );
      },
    ],
  };
}

/**
 * Scans the document with graphql-js's lexer (iterative) before the recursive parser sees it: refuses brackets
 * nested over DOCUMENT_NESTING_MAX, and literal values (everything inside parentheses: arguments, default values)
 * nested over MAX_INPUT_DEPTH. Stops after `maxTokens` tokens (the token limit refuses the rest) and at the first
 * lexical error (the parser reports it).
 */
function checkNesting(source: string | Source, security: Pick<SecurityConfig, 'maxTokens' | 'maxInputDepth'>): void {
  const src = typeof source === 'string' ? new Source(source) : source;
  const lexer = new Lexer(src);
  // One entry per open bracket: whether it is inside parentheses, and how deep in the literal it is.
  const open: { kind: TokenKind; literalDepth: number; inParens: boolean }[] = [];
  try {
    for (let n = 0, token = lexer.advance(); token.kind !== TokenKind.EOF && n < security.maxTokens; n++, token = lexer.advance()) {
      if (token.kind === TokenKind.PAREN_L || token.kind === TokenKind.BRACE_L || token.kind === TokenKind.BRACKET_L) {
        const parent = open[open.length - 1];
        const inParens = token.kind === TokenKind.PAREN_L || parent?.inParens === true;
        const literalDepth = token.kind !== TokenKind.PAREN_L && parent?.inParens === true ? parent.literalDepth + 1 : 0;
        if (literalDepth > security.maxInputDepth) {
          const message = `A literal value nests deeper than ${security.maxInputDepth} levels (MAX_INPUT_DEPTH).`;
          throw limitExceeded('MAX_INPUT_DEPTH', security.maxInputDepth, message, undefined, { source: src, position: token.start });
        }
        open.push({ kind: token.kind, literalDepth, inParens });
        if (open.length > DOCUMENT_NESTING_MAX) {
          throw limitExceeded(
            'DOCUMENT_NESTING',
            DOCUMENT_NESTING_MAX,
            `The document nests brackets deeper than ${DOCUMENT_NESTING_MAX} levels.`,
            undefined,
            {
              source: src,
              position: token.start,
            },
          );
        }
      } else if (token.kind === TokenKind.PAREN_R || token.kind === TokenKind.BRACE_R || token.kind === TokenKind.BRACKET_R) {
        // Unbalanced closers are the parser's to report.
        open.pop();
      }
    }
  } catch (error) {
    // A lexical error: the parser meets it at the same place, before any nesting past it, and reports it.
    if (error instanceof GraphQLError && error.extensions.code === undefined) return;
    throw error;
  }
}

/**
 * The descriptions in graphql-js syntax errors that quote the client's text: a token's value (`Name "…"`,
 * `String "…"`, …) or a character (`: "…"`). Each is the last thing in its message.
 */
const ECHO = /(\b(?:Name|String|BlockString|Int|Float)|:) ".*$/s;

/**
 * A syntax error without the client's text: the token kind, the location and the expected punctuation stay, the
 * quoted value goes (it can be anything the client sent, of any length). Hand-written: graphql-js builds the
 * message in one string, and no library rewords it.
 */
export function withoutEchoedText(message: string): string {
  return message.replace(ECHO, (_whole, kind: string) => (kind === ':' ? '.' : `${kind}.`));
}

/** Wraps the parser: the nesting scan first, then the parse, whose syntax errors come back coded and without echo. */
function useSafeParse(security: Pick<SecurityConfig, 'maxTokens' | 'maxInputDepth'>): Plugin {
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source: string | Source, options?: ParseOptions): DocumentNode => {
        checkNesting(source, security);
        try {
          return parseFn(source, options) as DocumentNode;
        } catch (error) {
          if (!(error instanceof GraphQLError) || error.extensions.code !== undefined) throw error;
          throw new GraphQLError(withoutEchoedText(error.message), {
            ...(error.source ? { source: error.source } : {}),
            ...(error.positions ? { positions: error.positions } : {}),
            extensions: { code: 'GRAPHQL_PARSE_FAILED', http: { status: 400, spec: true } },
          });
        }
      });
    },
  };
}

/**
 * The limits of a document, each refusal coded LIMIT_EXCEEDED with `limit` and `max`: graphql-armor's token, depth,
 * alias and directive limits, and the nesting of brackets and literal values. Aliases of every field count,
 * `__typename` included (armor's default exempts it: 10 000 aliases of it are as cheap to send as costly to answer).
 */
export function useDocumentLimits(
  security: Pick<SecurityConfig, 'maxTokens' | 'maxDepth' | 'maxAliases' | 'maxDirectives' | 'maxInputDepth'>,
): Plugin[] {
  return [
    maxTokensPlugin({ n: security.maxTokens, ...throwCoded('MAX_TOKENS', security.maxTokens) }),
    // After the token limit: it wraps the parser that counts tokens.
    useSafeParse(security),
    maxDepthPlugin({
      n: security.maxDepth,
      ignoreIntrospection: true,
      flattenFragments: true,
      ...throwCoded('MAX_DEPTH', security.maxDepth),
    }),
    maxAliasesPlugin({ n: security.maxAliases, allowList: [], ...throwCoded('MAX_ALIASES', security.maxAliases) }),
    maxDirectivesPlugin({ n: security.maxDirectives, ...throwCoded('MAX_DIRECTIVES', security.maxDirectives) }),
  ];
}
