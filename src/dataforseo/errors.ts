/**
 * Upstream failures, classified once. Every failure of a call (HTTP status, envelope `status_code`, task
 * `status_code`, the network, an unreadable body) becomes one `UpstreamError` with a stable `code` and a `retryable`
 * flag; the GraphQL layer maps the code to a GraphQL error in one place. Messages are ours, never the upstream's raw
 * body, so nothing the upstream echoes back (a URL, a key fragment) can travel further.
 */

/** Stable error codes, as they appear in `extensions.code`. */
export type UpstreamErrorCode =
  | 'UPSTREAM_BAD_REQUEST'
  | 'UPSTREAM_AUTH'
  | 'UPSTREAM_PAYMENT'
  | 'UPSTREAM_FORBIDDEN'
  | 'UPSTREAM_NOT_FOUND'
  | 'UPSTREAM_RATE_LIMITED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_INVALID_RESPONSE'
  | 'UPSTREAM_BUSY';

export interface UpstreamErrorOptions {
  /** The DataForSEO status code (envelope or task level), when the upstream gave one. */
  statusCode?: number | undefined;
  /** The HTTP status, when the failure was at the HTTP level. */
  httpStatus?: number | undefined;
  /** Seconds the upstream asked us to wait (AIsa's `Retry-After`). */
  retryAfterSeconds?: number | undefined;
  /** The endpoint called, e.g. `summary`. */
  endpoint?: string | undefined;
  cause?: unknown;
}

/** Base of the upstream error tree: a stable `code`, whether a retry may succeed, and what the upstream said. */
export class UpstreamError extends Error {
  override readonly name: string = 'UpstreamError';
  readonly code: UpstreamErrorCode;
  readonly retryable: boolean;
  readonly statusCode: number | undefined;
  readonly httpStatus: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly endpoint: string | undefined;
  /** USD the upstream billed for the failed call (its envelope's cost), when it said. */
  costUsd = 0;

  constructor(code: UpstreamErrorCode, message: string, retryable: boolean, options: UpstreamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = retryable;
    this.statusCode = options.statusCode;
    this.httpStatus = options.httpStatus;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.endpoint = options.endpoint;
  }
}

/** The upstream answered with a failure status: HTTP, envelope or task level. */
export class UpstreamStatusError extends UpstreamError {
  override readonly name = 'UpstreamStatusError';
}

/** The upstream could not be reached, or did not answer in time. */
export class UpstreamNetworkError extends UpstreamError {
  override readonly name = 'UpstreamNetworkError';
  /**
   * The request never reached the upstream: nothing listens at its address (ECONNREFUSED) or its name does not
   * resolve (ENOTFOUND, EAI_AGAIN). Such an attempt is no call (nothing can be billed) and is retried at most once.
   */
  get unreached(): boolean {
    const cause = this.cause as { code?: unknown } | undefined;
    return typeof cause?.code === 'string' && UNREACHED_CODES.has(cause.code);
  }
}

const UNREACHED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** The upstream answered something that is not the documented envelope. */
export class UpstreamResponseError extends UpstreamError {
  override readonly name = 'UpstreamResponseError';
}

interface Classification {
  code: UpstreamErrorCode;
  retryable: boolean;
  message: string;
}

/**
 * DataForSEO status codes (docs.dataforseo.com/v3/appendix/errors, see shared/design/dataforseo-backlinks.md),
 * mapped to our codes. Retryable: the transient ones, the rate limits, and the live-task timeout.
 */
const STATUS_CODES: ReadonlyMap<number, Classification> = new Map([
  [40000, { code: 'UPSTREAM_BAD_REQUEST', retryable: false, message: 'The upstream accepts one task per call.' }],
  [40100, { code: 'UPSTREAM_AUTH', retryable: false, message: 'The upstream rejected the server’s credentials.' }],
  [40104, { code: 'UPSTREAM_AUTH', retryable: false, message: 'The upstream account is not verified.' }],
  [40200, { code: 'UPSTREAM_PAYMENT', retryable: false, message: 'The upstream account requires payment.' }],
  [40210, { code: 'UPSTREAM_PAYMENT', retryable: false, message: 'The upstream account has insufficient funds.' }],
  [40203, { code: 'UPSTREAM_PAYMENT', retryable: false, message: 'The upstream daily cost cap is reached.' }],
  [40201, { code: 'UPSTREAM_FORBIDDEN', retryable: false, message: 'The upstream account is paused.' }],
  [40204, { code: 'UPSTREAM_FORBIDDEN', retryable: false, message: 'The upstream plan has no access to this API.' }],
  [40207, { code: 'UPSTREAM_FORBIDDEN', retryable: false, message: 'The upstream does not allow this server’s IP.' }],
  [40202, { code: 'UPSTREAM_RATE_LIMITED', retryable: true, message: 'The upstream per-minute limit is exceeded.' }],
  [40209, { code: 'UPSTREAM_RATE_LIMITED', retryable: true, message: 'Too many simultaneous upstream requests.' }],
  [40400, { code: 'UPSTREAM_NOT_FOUND', retryable: false, message: 'The upstream endpoint was not found.' }],
  [40402, { code: 'UPSTREAM_NOT_FOUND', retryable: false, message: 'The upstream path is invalid.' }],
  [40404, { code: 'UPSTREAM_NOT_FOUND', retryable: false, message: 'The upstream has no data for this request.' }],
  [40501, { code: 'UPSTREAM_BAD_REQUEST', retryable: false, message: 'The upstream rejected a field of the request.' }],
  [40503, { code: 'UPSTREAM_BAD_REQUEST', retryable: false, message: 'The upstream rejected the request body.' }],
  [40506, { code: 'UPSTREAM_BAD_REQUEST', retryable: false, message: 'The upstream does not know a field sent.' }],
  [40103, { code: 'UPSTREAM_UNAVAILABLE', retryable: true, message: 'The upstream failed transiently.' }],
  [50000, { code: 'UPSTREAM_UNAVAILABLE', retryable: true, message: 'The upstream had an internal error.' }],
  [50001, { code: 'UPSTREAM_UNAVAILABLE', retryable: true, message: 'The upstream had an internal error.' }],
  [50301, { code: 'UPSTREAM_UNAVAILABLE', retryable: true, message: 'The upstream service is unavailable.' }],
  [50303, { code: 'UPSTREAM_UNAVAILABLE', retryable: true, message: 'The upstream is being updated.' }],
  [50401, { code: 'UPSTREAM_TIMEOUT', retryable: true, message: 'The upstream task took longer than 120 s.' }],
]);

function classifyUnknownStatus(statusCode: number): Classification {
  if (statusCode >= 50000) {
    return { code: 'UPSTREAM_UNAVAILABLE', retryable: true, message: 'The upstream had an internal error.' };
  }
  return { code: 'UPSTREAM_BAD_REQUEST', retryable: false, message: 'The upstream rejected the request.' };
}

/** Classifies a DataForSEO status code (envelope or task level) other than 20000. */
export function upstreamErrorFromStatusCode(
  statusCode: number,
  options: Omit<UpstreamErrorOptions, 'statusCode'> = {},
): UpstreamStatusError {
  const c = STATUS_CODES.get(statusCode) ?? classifyUnknownStatus(statusCode);
  return new UpstreamStatusError(c.code, `${c.message} (upstream status ${statusCode})`, c.retryable, {
    ...options,
    statusCode,
  });
}

/** Classifies an HTTP status other than 2xx that came without a usable DataForSEO status code. */
export function upstreamErrorFromHttpStatus(
  httpStatus: number,
  options: Omit<UpstreamErrorOptions, 'httpStatus'> = {},
): UpstreamStatusError {
  const make = (code: UpstreamErrorCode, message: string, retryable: boolean) =>
    new UpstreamStatusError(code, `${message} (HTTP ${httpStatus})`, retryable, { ...options, httpStatus });
  if (httpStatus === 401) return make('UPSTREAM_AUTH', 'The upstream rejected the server’s credentials.', false);
  if (httpStatus === 402) return make('UPSTREAM_PAYMENT', 'The upstream account requires payment.', false);
  if (httpStatus === 403) return make('UPSTREAM_FORBIDDEN', 'The upstream refused access.', false);
  if (httpStatus === 404) return make('UPSTREAM_NOT_FOUND', 'The upstream endpoint was not found.', false);
  if (httpStatus === 408) return make('UPSTREAM_TIMEOUT', 'The upstream timed out.', true);
  if (httpStatus === 429) return make('UPSTREAM_RATE_LIMITED', 'The upstream rate limit is exceeded.', true);
  if (httpStatus === 504) return make('UPSTREAM_TIMEOUT', 'The upstream timed out.', true);
  if (httpStatus >= 500) return make('UPSTREAM_UNAVAILABLE', 'The upstream is unavailable.', true);
  return make('UPSTREAM_BAD_REQUEST', 'The upstream rejected the request.', false);
}
