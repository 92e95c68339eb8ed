import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

type RequestParser = NonNullable<Parameters<NonNullable<Plugin['onRequestParse']>>[0]['requestParser']>;

/** Options of useBodyLimit. */
export interface BodyLimitOptions {
  /** `MAX_BODY_BYTES`: larger bodies get 413, whether their length is declared or they are streamed (chunked). */
  maxBytes: number;
  /** `MAX_INPUT_DEPTH`: deepest nesting of a value in the request (a variable, an extension); deeper gets 400. */
  maxInputDepth: number;
}

/**
 * A refusal of the HTTP request itself (its body, media type, origin): coded, answered with `status` whatever the
 * client accepts. Errors in the GraphQL document are not these: under legacy `application/json` they answer 200.
 */
export function requestError(status: number, code: string, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions, http: { status } } });
}

function tooLarge(maxBytes: number, declared?: string): GraphQLError {
  const size = declared === undefined ? 'is larger than the limit' : `is ${declared} bytes`;
  return requestError(413, 'PAYLOAD_TOO_LARGE', `The request body ${size}; at most ${maxBytes} bytes are accepted (MAX_BODY_BYTES).`, {
    limit: 'MAX_BODY_BYTES',
    max: maxBytes,
  });
}

/**
 * Whether `value` nests objects and arrays deeper than `max` (a scalar is 0 deep, `{}` and `[]` 1). Iterative, with
 * an explicit stack: a recursive walk of a hostile value would overflow the very stack it protects.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (item.value === null || typeof item.value !== 'object') continue;
    const depth = item.depth + 1;
    if (depth > max) return true;
    for (const child of Array.isArray(item.value) ? item.value : Object.values(item.value)) stack.push({ value: child, depth });
  }
  return false;
}

/** Refuses parsed request params with a value nested deeper than `max`: each variable and extension on its own. */
function checkInputDepth(parsed: unknown, max: number): void {
  for (const params of Array.isArray(parsed) ? (parsed as unknown[]) : [parsed]) {
    if (params === null || typeof params !== 'object') continue;
    for (const [key, member] of Object.entries(params as Record<string, unknown>)) {
      const perEntry =
        (key === 'variables' || key === 'extensions') && member !== null && typeof member === 'object' && !Array.isArray(member);
      const values: unknown[] = perEntry ? Object.values(member) : [member];
      if (values.some((v) => nestsDeeperThan(v, max))) {
        throw requestError(400, 'LIMIT_EXCEEDED', `A value in the request's "${key}" nests deeper than ${max} levels (MAX_INPUT_DEPTH).`, {
          limit: 'MAX_INPUT_DEPTH',
          max,
        });
      }
    }
  }
}

/** The GraphQL-over-HTTP request parameters (and Yoga's persisted-document id). */
const PARAMETERS = new Set(['query', 'variables', 'operationName', 'extensions', 'documentId']);

/**
 * Refuses a parameter the endpoint does not take before Yoga does: Yoga's message quotes the parameter's name,
 * which is the client's text, back.
 */
function checkParameterNames(parsed: unknown): void {
  for (const params of Array.isArray(parsed) ? (parsed as unknown[]) : [parsed]) {
    if (params === null || typeof params !== 'object') continue;
    if (Object.keys(params).some((key) => !PARAMETERS.has(key))) {
      throw requestError(
        400,
        'BAD_REQUEST',
        `The request has a parameter this endpoint does not take; allowed: ${[...PARAMETERS].join(', ')}.`,
      );
    }
  }
}

/** Yoga's parse failures say what the body held (V8 quotes it in `originalError`); keep the code, drop the echo. */
function withoutEcho(error: unknown, maxBytes: number): unknown {
  // A GET's `variables` or `extensions` parameter that is not JSON.
  if (error instanceof SyntaxError)
    return requestError(400, 'BAD_REQUEST', 'A request parameter that must be JSON (variables, extensions) is not valid JSON.');
  if (!(error instanceof GraphQLError)) return error;
  if (error.extensions.code === 'REQUEST_ENTITY_TOO_LARGE') return tooLarge(maxBytes);
  if (error.extensions.originalError !== undefined) {
    return requestError(
      400,
      typeof error.extensions.code === 'string' ? error.extensions.code : 'BAD_REQUEST',
      'The request body is not valid JSON.',
    );
  }
  return error;
}

/**
 * A streamed (chunked) body cut once more than `maxBytes` have been read. Yoga's own limit (`maxRequestBodySize`) does
 * this for every body, a declared length or not, and piping each one through a TransformStream was the largest single
 * cost of a small request (about 0.2 ms: the stream, its AbortController, a DOMException when it closes); its helper is
 * not exported, so its few lines are here, for the bodies that need them.
 */
function limitStreamedBody(
  request: Request,
  maxBytes: number,
  fetchAPI: { Request: typeof Request; TransformStream: typeof TransformStream },
): Request {
  const body = request.body;
  if (!body) return request;
  // A native ReadableStream (Node's) needs the native TransformStream, as in Yoga (graphql-yoga#4583).
  const Transform = body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  let read = 0;
  const limited = body.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        read += chunk.byteLength;
        if (read > maxBytes) controller.error(tooLarge(maxBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body: limited,
    duplex: 'half',
  } as RequestInit);
}

/**
 * The request body: at most `maxBytes` (413), values at most `maxInputDepth` deep (400), parse failures without
 * echoing the body, and a coded 415 when no parser takes the content type. The byte limit is this plugin's alone (Yoga's
 * `maxRequestBodySize` is off): a declared Content-Length over it is refused before anything is read, a malformed one
 * with 400; a body without one (chunked) is cut while it is read. A body with a declared length is not wrapped: Node's
 * HTTP parser delivers exactly that many bytes of it, and refuses a request that declares both a length and chunks.
 */
export function useBodyLimit(options: BodyLimitOptions): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const declared = request.headers.get('content-length');
      // Only one non-negative integer is a Content-Length (a list of them is a request-smuggling attempt); as Yoga says
      // it, without quoting it.
      if (declared !== null && !/^\d+$/.test(declared)) throw requestError(400, 'BAD_REQUEST', 'Content-Length header is invalid.');
      if (declared !== null && Number(declared) > options.maxBytes) throw tooLarge(options.maxBytes, declared);
      // Other methods are Yoga's to refuse (405).
      if (!requestParser && request.method === 'POST') {
        throw requestError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          'Send the request as application/json (POST), or as a GET with query parameters.',
        );
      }
      if (!requestParser) return;
      const parse: RequestParser = requestParser;
      const streamed = declared === null && request.body !== null;
      setRequestParser(async (req) => {
        let parsed: Awaited<ReturnType<RequestParser>>;
        try {
          parsed = await parse(streamed ? limitStreamedBody(req, options.maxBytes, fetchAPI) : req);
        } catch (error) {
          throw withoutEcho(error, options.maxBytes);
        }
        if (!(parsed instanceof Response)) {
          checkInputDepth(parsed, options.maxInputDepth);
          checkParameterNames(parsed);
        }
        return parsed;
      });
    },
  };
}
