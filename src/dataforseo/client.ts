import { request, type Dispatcher } from 'undici';
import {
  UpstreamError,
  UpstreamNetworkError,
  UpstreamResponseError,
  upstreamErrorFromHttpStatus,
  upstreamErrorFromStatusCode,
} from './errors.js';
import type { Provider } from './providers.js';
import type {
  AisaErrorBody,
  BulkBacklinksItem,
  BulkNewLostBacklinksItem,
  BulkNewLostReferringDomainsItem,
  BulkPagesSummaryItem,
  BulkRankItem,
  BulkReferringDomainsItem,
  BulkResult,
  BulkSpamScoreItem,
  BulkTask,
  DomainIntersectionResult,
  DomainIntersectionTask,
  LiveEndpoint,
  ResultOf,
  ReferringDomainsResult,
  ReferringDomainsTask,
  SummaryResult,
  SummaryTask,
  TaskEnvelope,
  TaskOf,
} from './types.js';

/** Live tasks time out upstream at 120 s; wait a little longer than that, not undici's default 300 s. */
export const UPSTREAM_TIMEOUT_MS = 125_000;
const OK = 20000;

/** What one successful call returned. */
export interface UpstreamResponse<Result> {
  /** `tasks[0].result[0]`; null when the upstream had no result for a successful task. */
  result: Result | null;
  /** USD billed for the call (the envelope's `cost`). */
  costUsd: number;
  /** `tasks[0].id`. */
  taskId: string | null;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the HTTP request (e.g. when the GraphQL client went away). */
  signal?: AbortSignal | undefined;
}

/** Options of `createBacklinksClient`. */
export interface BacklinksClientOptions {
  provider: Provider;
  /** The undici dispatcher to send through (an `Agent`, or a `MockAgent` in tests). Default: undici's global one. */
  dispatcher?: Dispatcher;
  /** Headers and body timeout per call, in ms. Default `UPSTREAM_TIMEOUT_MS` (125 000). */
  timeoutMs?: number;
  /** Called once per HTTP request sent, with its outcome; for metrics and cost accounting. */
  onCall?: (event: UpstreamCallEvent) => void;
}

/** One HTTP request to the upstream, as seen by `onCall`. */
export interface UpstreamCallEvent {
  endpoint: LiveEndpoint;
  durationMs: number;
  costUsd: number;
  /** The DataForSEO status code that decided the outcome (20000 on success), when there was one. */
  statusCode: number | undefined;
  httpStatus: number | undefined;
  error: UpstreamError | undefined;
}

/**
 * What the upstream says of the credentials: `accepted` or `rejected` by the free account call, `unverified` where
 * the provider has none (AIsa), `unknown` when the check got no clear answer (unreachable, timed out, odd body).
 */
export type CredentialsState = 'accepted' | 'rejected' | 'unverified' | 'unknown';

/** The DataForSEO Backlinks API, one method per live endpoint. Usable without GraphQL. */
export interface BacklinksClient {
  readonly provider: Provider['name'];
  /** Asks the provider's free account call whether the credentials are accepted; never throws, never bills. */
  checkCredentials(options?: CallOptions): Promise<CredentialsState>;
  /** Any live endpoint by its path segment, typed by the endpoint map; the methods below are its named forms. */
  call<E extends LiveEndpoint>(endpoint: E, task: TaskOf<E>, options?: CallOptions): Promise<UpstreamResponse<ResultOf<E>>>;
  /** `backlinks/summary/live`. */
  summary(task: SummaryTask, options?: CallOptions): Promise<UpstreamResponse<SummaryResult>>;
  /** `backlinks/referring_domains/live`. */
  referringDomains(task: ReferringDomainsTask, options?: CallOptions): Promise<UpstreamResponse<ReferringDomainsResult>>;
  /** `backlinks/domain_intersection/live`. */
  domainIntersection(task: DomainIntersectionTask, options?: CallOptions): Promise<UpstreamResponse<DomainIntersectionResult>>;
  /** `backlinks/bulk_ranks/live`: up to 1000 targets. */
  bulkRanks(task: BulkTask, options?: CallOptions): Promise<UpstreamResponse<BulkResult<BulkRankItem>>>;
  /** `backlinks/bulk_backlinks/live`: up to 1000 targets. */
  bulkBacklinks(task: BulkTask, options?: CallOptions): Promise<UpstreamResponse<BulkResult<BulkBacklinksItem>>>;
  /** `backlinks/bulk_spam_score/live`: up to 1000 targets. */
  bulkSpamScore(task: BulkTask, options?: CallOptions): Promise<UpstreamResponse<BulkResult<BulkSpamScoreItem>>>;
  /** `backlinks/bulk_referring_domains/live`: up to 1000 targets. */
  bulkReferringDomains(task: BulkTask, options?: CallOptions): Promise<UpstreamResponse<BulkResult<BulkReferringDomainsItem>>>;
  /** `backlinks/bulk_new_lost_backlinks/live`: up to 1000 targets, `date_from`. */
  bulkNewLostBacklinks(task: BulkTask, options?: CallOptions): Promise<UpstreamResponse<BulkResult<BulkNewLostBacklinksItem>>>;
  /** `backlinks/bulk_new_lost_referring_domains/live`: up to 1000 targets, `date_from`. */
  bulkNewLostReferringDomains(
    task: BulkTask,
    options?: CallOptions,
  ): Promise<UpstreamResponse<BulkResult<BulkNewLostReferringDomainsItem>>>;
  /** `backlinks/bulk_pages_summary/live`: up to 1000 pages of at most 100 distinct root domains. */
  bulkPagesSummary(task: BulkTask, options?: CallOptions): Promise<UpstreamResponse<BulkResult<BulkPagesSummaryItem>>>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readRetryAfter(headers: Record<string, string | string[] | undefined>): number | undefined {
  const value = headers['retry-after'];
  const seconds = Number(Array.isArray(value) ? value[0] : value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** Turns an HTTP answer into a result or an `UpstreamError`, checking HTTP status, envelope and task, in that order. */
function readAnswer<Result>(
  endpoint: LiveEndpoint,
  httpStatus: number,
  headers: Record<string, string | string[] | undefined>,
  body: unknown,
): UpstreamResponse<Result> {
  const envelope = isRecord(body) ? (body as TaskEnvelope<Result>) : undefined;
  const costUsd = typeof envelope?.cost === 'number' ? envelope.cost : 0;
  if (httpStatus < 200 || httpStatus > 299) {
    const statusCode = envelope?.status_code;
    // DataForSEO sometimes pairs an HTTP error with a body status code; AIsa sends {"error":{…}} instead.
    if (typeof statusCode === 'number' && statusCode !== OK) {
      throw upstreamErrorFromStatusCode(statusCode, { endpoint, httpStatus });
    }
    const aisaCode = isRecord(body) ? (body as AisaErrorBody).error?.code : undefined;
    const statusFromAisa = typeof aisaCode === 'number' && aisaCode >= 10000 ? aisaCode : undefined;
    if (statusFromAisa !== undefined && httpStatus !== 429) {
      throw upstreamErrorFromStatusCode(statusFromAisa, { endpoint, httpStatus });
    }
    throw upstreamErrorFromHttpStatus(httpStatus, { endpoint, retryAfterSeconds: readRetryAfter(headers) });
  }
  if (!envelope) {
    throw new UpstreamResponseError('UPSTREAM_INVALID_RESPONSE', 'The upstream answered with a body that is not a JSON object.', true, {
      endpoint,
      httpStatus,
    });
  }
  if (envelope.status_code !== OK) {
    if (typeof envelope.status_code !== 'number') {
      throw new UpstreamResponseError('UPSTREAM_INVALID_RESPONSE', 'The upstream envelope has no status_code.', true, { endpoint });
    }
    throw upstreamErrorFromStatusCode(envelope.status_code, { endpoint });
  }
  const task = envelope.tasks?.[0];
  if (!task) {
    throw new UpstreamResponseError('UPSTREAM_INVALID_RESPONSE', 'The upstream envelope holds no task.', true, { endpoint });
  }
  if (task.status_code !== OK) {
    if (typeof task.status_code !== 'number') {
      throw new UpstreamResponseError('UPSTREAM_INVALID_RESPONSE', 'The upstream task has no status_code.', true, { endpoint });
    }
    throw upstreamErrorFromStatusCode(task.status_code, { endpoint });
  }
  return { result: task.result?.[0] ?? null, costUsd, taskId: task.id ?? null };
}

function networkError(endpoint: LiveEndpoint, error: unknown): UpstreamNetworkError {
  const code = isRecord(error) && typeof error.code === 'string' ? error.code : '';
  const timedOut = /TIMEOUT/.test(code);
  // The cause is kept for the server's own diagnostics; its message is never shown to GraphQL clients.
  return new UpstreamNetworkError(
    timedOut ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE',
    timedOut ? 'The upstream did not answer in time.' : `The upstream could not be reached${code ? ` (${code})` : ''}.`,
    true,
    { endpoint, cause: error },
  );
}

/** Creates the upstream client. It holds no state but the provider's credentials and the dispatcher. */
export function createBacklinksClient(options: BacklinksClientOptions): BacklinksClient {
  const { provider, dispatcher, onCall } = options;
  const timeoutMs = options.timeoutMs ?? UPSTREAM_TIMEOUT_MS;

  async function call<E extends LiveEndpoint>(
    endpoint: E,
    task: TaskOf<E>,
    callOptions: CallOptions = {},
  ): Promise<UpstreamResponse<ResultOf<E>>> {
    const started = performance.now();
    const report = (event: Omit<UpstreamCallEvent, 'endpoint' | 'durationMs'>) =>
      onCall?.({ endpoint, durationMs: performance.now() - started, ...event });
    let httpStatus: number;
    let headers: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      const response = await request(provider.url(endpoint), {
        method: 'POST',
        headers: provider.headers(),
        body: provider.body(task),
        ...(dispatcher ? { dispatcher } : {}),
        ...(callOptions.signal ? { signal: callOptions.signal } : {}),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      httpStatus = response.statusCode;
      headers = response.headers;
      text = await response.body.text();
    } catch (error) {
      if (callOptions.signal?.aborted) throw error;
      const failure = networkError(endpoint, error);
      report({ costUsd: 0, statusCode: undefined, httpStatus: undefined, error: failure });
      throw failure;
    }
    const body = parseJson(text);
    try {
      const answer = readAnswer<ResultOf<E>>(endpoint, httpStatus, headers, body);
      report({ costUsd: answer.costUsd, statusCode: OK, httpStatus, error: undefined });
      return answer;
    } catch (error) {
      const failure = error instanceof UpstreamError ? error : networkError(endpoint, error);
      const costUsd = isRecord(body) && typeof body.cost === 'number' ? body.cost : 0;
      failure.costUsd = costUsd;
      report({ costUsd, statusCode: failure.statusCode, httpStatus, error: failure });
      throw failure;
    }
  }

  async function checkCredentials(callOptions: CallOptions = {}): Promise<CredentialsState> {
    if (!provider.accountUrl) return 'unverified';
    try {
      const { authorization } = provider.headers();
      const response = await request(provider.accountUrl, {
        method: 'GET',
        headers: { ...(authorization ? { authorization } : {}), accept: 'application/json' },
        ...(dispatcher ? { dispatcher } : {}),
        ...(callOptions.signal ? { signal: callOptions.signal } : {}),
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      const body = parseJson(await response.body.text());
      const statusCode = isRecord(body) ? body.status_code : undefined;
      const taskCode = isRecord(body) && Array.isArray(body.tasks) && isRecord(body.tasks[0]) ? body.tasks[0].status_code : undefined;
      if (response.statusCode === 401 || [statusCode, taskCode].some((c) => c === 40100 || c === 40104)) return 'rejected';
      return response.statusCode === 200 && statusCode === OK ? 'accepted' : 'unknown';
    } catch {
      return 'unknown';
    }
  }

  return {
    provider: provider.name,
    checkCredentials,
    call,
    summary: (task, o) => call('summary', task, o),
    referringDomains: (task, o) => call('referring_domains', task, o),
    domainIntersection: (task, o) => call('domain_intersection', task, o),
    bulkRanks: (task, o) => call('bulk_ranks', task, o),
    bulkBacklinks: (task, o) => call('bulk_backlinks', task, o),
    bulkSpamScore: (task, o) => call('bulk_spam_score', task, o),
    bulkReferringDomains: (task, o) => call('bulk_referring_domains', task, o),
    bulkNewLostBacklinks: (task, o) => call('bulk_new_lost_backlinks', task, o),
    bulkNewLostReferringDomains: (task, o) => call('bulk_new_lost_referring_domains', task, o),
    bulkPagesSummary: (task, o) => call('bulk_pages_summary', task, o),
  };
}
