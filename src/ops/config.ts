import { isIP } from 'node:net';
import { AISA_DEFAULT_BASE_URL, DATAFORSEO_DEFAULT_BASE_URL } from '../dataforseo/providers.js';
import { UPSTREAM_TIMEOUT_MS } from '../dataforseo/client.js';
import { loadTrustedDocuments, type TrustedDocumentsConfig } from '../http/plugins/trusted-documents.js';

/** Where upstream calls go. */
export type UpstreamConfig =
  | { kind: 'dataforseo'; baseUrl: string; login: string; password: string }
  | { kind: 'aisa'; baseUrl: string; apiKey: string }
  | { kind: 'sandbox' };

/** Every setting of the server, validated. */
export interface Config {
  /** `PORT`, default 4000. */
  port: number;
  /** `HOST`; unset = every interface (IPv6 and IPv4 where available), as Node's `listen` does. */
  host: string | undefined;
  upstream: UpstreamConfig;
  /** `UPSTREAM_TIMEOUT_MS`, default 125 000: a little over the upstream's own 120 s live-task limit. */
  upstreamTimeoutMs: number;
  /** `GRAPHIQL`, default true. */
  graphiql: boolean;
  /** The scheduler's limits; defaults depend on the upstream (AIsa's lowest tier is far below DataForSEO's). */
  limits: {
    /** `UPSTREAM_MAX_CONCURRENCY`: calls in flight at once. */
    maxConcurrency: number;
    /** `UPSTREAM_MAX_PER_MINUTE`: calls started per rolling minute, paced evenly over it. */
    maxPerMinute: number;
    /** `UPSTREAM_RATE_WINDOW_MS`, default 60 000: the window the per-minute limit counts (shorter only against a test upstream). */
    windowMs: number;
    /** `UPSTREAM_QUEUE_TIMEOUT_MS`: how long a call may wait for a slot before UPSTREAM_BUSY. */
    queueTimeoutMs: number;
    /** `UPSTREAM_MAX_QUEUE`: how many calls may wait. */
    maxQueued: number;
  };
  /** `UPSTREAM_RETRIES` and `UPSTREAM_RETRY_DEADLINE_MS`. */
  retry: { retries: number; deadlineMs: number };
  /** `CACHE_TTL_SECONDS` (0 disables) and `CACHE_MAX_MB`. */
  cache: { ttlSeconds: number; maxMegabytes: number };
  /**
   * `REDIS_URL` (redis:// or rediss://; never printed): the limits, cache and single flight are shared by every
   * replica through it; `UPSTREAM_REPLICAS` (required with it): how many replicas share the account, each keeping to
   * 1/replicas of the limits while Redis is unreachable; `REDIS_KEY_PREFIX` (default `backlinks:`), one per account.
   * Undefined: one process, everything in memory.
   */
  redis: { url: string; replicas: number; keyPrefix: string } | undefined;
  /** `MAX_UPSTREAM_CALLS_PER_OPERATION`. */
  maxUpstreamCallsPerOperation: number;
  /** Limits and protections of the public endpoint. */
  security: SecurityConfig;
  /** Timeouts of the HTTP server on receiving requests (never on answering them: a slow upstream is not cut). */
  http: HttpTimeouts;
  /** `LOG_LEVEL`: debug, info, warn, error or silent. */
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** `SANDBOX_LATENCY_MS` ("300" or "300-900"): latency the embedded sandbox adds, for demos and benchmarks. */
  sandboxLatencyMs: number | { min: number; max: number } | undefined;
}

/** The protections of a public GraphQL endpoint, each overridable. */
export interface SecurityConfig {
  /** `MAX_DEPTH`: deepest field nesting. */
  maxDepth: number;
  /** `MAX_ALIASES`: aliases per operation. */
  maxAliases: number;
  /** `MAX_TOKENS`: lexical tokens per document. */
  maxTokens: number;
  /** `MAX_DIRECTIVES`: directives per operation. */
  maxDirectives: number;
  /** `MAX_BODY_BYTES`: request body size, declared or streamed. */
  maxBodyBytes: number;
  /** `MAX_INPUT_DEPTH`: deepest nesting of an input value (variable, literal argument, extension). */
  maxInputDepth: number;
  /** `MAX_RESULT_VALUES`: the most values (fields and list items) a response may hold, by the estimate before execution. */
  maxResultValues: number;
  /** `EXECUTION_MAX_VALUES`: the most result values (by the estimate, plus 1000 per upstream call) executing at once. */
  executionMaxValues: number;
  /** `EXECUTION_MAX_QUEUE`: operations that may wait for room under EXECUTION_MAX_VALUES; more get 503 SERVER_BUSY. */
  executionMaxQueue: number;
  /** `EXECUTION_QUEUE_TIMEOUT_MS`: how long an operation may wait for that room; then 503 SERVER_BUSY. */
  executionQueueTimeoutMs: number;
  /** `INTROSPECTION`: answer introspection queries. */
  introspection: boolean;
  /** `CORS_ORIGINS`: comma-separated origins allowed, or `*`; default none (no cross-origin access). */
  corsOrigins: string[] | '*';
  /**
   * `API_KEYS`: comma-separated client keys, each optionally followed by `name=<name>` and `cap=<USD per UTC day>`
   * (`API_KEY_DAILY_CAP_USD` for keys without a `cap=`); empty = no key needed. A plain string is a key without a
   * name or cap. Never printed.
   */
  apiKeys: (string | ApiKeyEntry)[];
  /** `API_KEY_RATE_LIMIT_PER_MINUTE`: requests per key per minute. */
  apiKeyRateLimitPerMinute: number;
  /** `API_KEY_FAILURES_PER_MINUTE`: wrong keys one client address may present per minute before every key is refused. */
  apiKeyFailuresPerMinute: number;
  /**
   * `ALLOWED_HOSTS`: comma-separated host names the server answers to (the Host header, port aside). Empty: any host
   * when API keys are set, only loopback names (localhost, 127.x, ::1) when not — DNS rebinding protection.
   */
  allowedHosts: string[];
  /** `TRUSTED_PROXIES`: comma-separated addresses of reverse proxies whose X-Forwarded-For names the client. */
  trustedProxies: string[];
  /**
   * `TRUSTED_DOCUMENTS`: path of a persisted-documents manifest (the client preset's persisted-documents.json), read
   * at start; requests may then name its documents by id. `TRUSTED_DOCUMENTS_ONLY` (default false, needs
   * TRUSTED_DOCUMENTS): refuse every other operation before parsing it. Unset: no manifest.
   */
  trustedDocuments?: TrustedDocumentsConfig;
}

/** One entry of `API_KEYS` with settings: `<key> name=<name> cap=<USD>`. */
export interface ApiKeyEntry {
  /** The secret the client presents. */
  key: string;
  /** `name=`: 1–64 of A–Z a–z 0–9 . _ -; shown to the key's holder, and its id in the spend ledger (keys sharing a name share a ledger). */
  name?: string;
  /** `cap=`: the most the key may spend per UTC day, in USD; undefined = uncapped. */
  dailyCapUsd?: number;
}

/** The defaults of SecurityConfig: what a public endpoint should start with. */
export const SECURITY_DEFAULTS: SecurityConfig = {
  maxDepth: 12,
  maxAliases: 100,
  maxTokens: 2000,
  maxDirectives: 20,
  maxBodyBytes: 100_000,
  maxInputDepth: 20,
  maxResultValues: 250_000,
  executionMaxValues: 1_200_000,
  executionMaxQueue: 1000,
  executionQueueTimeoutMs: 30_000,
  introspection: true,
  corsOrigins: [],
  apiKeys: [],
  apiKeyRateLimitPerMinute: 600,
  apiKeyFailuresPerMinute: 10,
  allowedHosts: [],
  trustedProxies: [],
};

/** Node's server timeouts, see README "Configuration". */
export interface HttpTimeouts {
  /** `REQUEST_TIMEOUT_MS`: receiving a whole request, headers and body; then 408 and the socket is closed. */
  requestTimeoutMs: number;
  /** `HEADERS_TIMEOUT_MS`: receiving a request's headers; at most REQUEST_TIMEOUT_MS. */
  headersTimeoutMs: number;
  /** `KEEP_ALIVE_TIMEOUT_MS`: how long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
}

/** The defaults of HttpTimeouts: a body that trickles in is cut after 30 s instead of Node's 300 s. */
export const HTTP_TIMEOUT_DEFAULTS: HttpTimeouts = { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000 };

/**
 * Per-upstream defaults: DataForSEO's documented limits (30 at once; 10 000 per minute, its default since October
 * 2026); AIsa's lowest tier (5 at once, 60 per minute); the embedded sandbox's own (30, 2000).
 */
export const UPSTREAM_LIMIT_DEFAULTS = {
  dataforseo: { maxConcurrency: 30, maxPerMinute: 10_000 },
  aisa: { maxConcurrency: 5, maxPerMinute: 60 },
  sandbox: { maxConcurrency: 30, maxPerMinute: 2000 },
} as const;

/** Every problem found in the environment, one per line; never quotes a secret's value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function readInteger(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  return n;
}

function readBoolean(env: Env, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  problems.push(`${name} must be true or false, got "${env[name]}"`);
  return fallback;
}

function readBaseUrl(env: Env, name: string, fallback: string, problems: string[]): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`${name} must be an absolute http(s) URL, got "${raw}"`);
    return fallback;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`${name} must use http or https, got "${url.protocol}"`);
  } else if (url.username || url.password) {
    // Credentials belong in their own variables, where they are never printed.
    problems.push(`${name} must not contain credentials; set them in their own variables`);
  } else if (url.search || url.hash) {
    problems.push(`${name} must not have a query or fragment`);
  }
  return raw.replace(/\/+$/, '');
}

function readProxies(env: Env, problems: string[]): string[] {
  const proxies = (env.TRUSTED_PROXIES ?? '')
    .split(',')
    .map((p) => p.trim().replace(/^::ffff:/i, ''))
    .filter(Boolean);
  for (const proxy of proxies) {
    if (isIP(proxy) === 0) problems.push(`TRUSTED_PROXIES must list IP addresses such as 10.0.0.5, got "${proxy}"`);
  }
  return proxies;
}

function readHosts(env: Env, problems: string[]): string[] {
  const hosts = (env.ALLOWED_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  for (const host of hosts) {
    if (!/^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$/.test(host))
      problems.push(`ALLOWED_HOSTS must list host names such as api.example.com, got "${host}"`);
  }
  return hosts;
}

function readOrigins(env: Env, problems: string[]): string[] | '*' {
  const raw = env.CORS_ORIGINS?.trim();
  if (!raw) return [];
  if (raw === '*') return '*';
  const origins = raw
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      problems.push(`CORS_ORIGINS must list origins such as https://app.example.com, got "${origin}"`);
  }
  return origins;
}

/**
 * A dollar amount as API_KEYS and API_KEY_DAILY_CAP_USD write it: up to 999 999, optionally with up to 9 decimals (the
 * spend ledger counts integer nano-dollars, exact below 2^53).
 */
const USD_AMOUNT = /^\d{1,6}(?:\.\d{1,9})?$/;
/** What a key's `name=` may be: it names the key in responses, logs and the spend ledger. */
const KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * API_KEYS: comma-separated entries, each a key optionally followed by whitespace-separated settings
 * (`sk-frontend-0123456789 name=frontend cap=5`). A key cannot hold whitespace (Bearer credentials cannot), so an
 * entry without settings means what it always meant. The keys themselves are never quoted in a problem: entries are
 * named by position.
 */
function readApiKeys(env: Env, problems: string[]): (string | ApiKeyEntry)[] {
  const defaultCapRaw = env.API_KEY_DAILY_CAP_USD?.trim() ?? '';
  let defaultCap: number | undefined;
  if (defaultCapRaw !== '') {
    if (USD_AMOUNT.test(defaultCapRaw)) defaultCap = Number(defaultCapRaw);
    else problems.push(`API_KEY_DAILY_CAP_USD must be an amount in USD such as 5 or 0.10, got "${defaultCapRaw}"`);
  }
  const entries = (env.API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const seen = new Map<string, number>();
  const capsByName = new Map<string, number | undefined>();
  const keys = entries.map((entry, i): string | ApiKeyEntry => {
    const where = `API_KEYS: key #${i + 1}`;
    const [key = '', ...settings] = entry.split(/\s+/);
    if (key.length < 16) problems.push(`${where} is shorter than 16 characters; use long random keys`);
    const first = seen.get(key);
    if (first !== undefined) problems.push(`${where} repeats key #${first}`);
    else seen.set(key, i + 1);
    let name: string | undefined;
    let cap: number | null | undefined;
    for (const setting of settings) {
      const eq = setting.indexOf('=');
      const [field, value] = eq < 0 ? ['', ''] : [setting.slice(0, eq), setting.slice(eq + 1)];
      if (field === 'name' && name === undefined) {
        if (KEY_NAME.test(value)) name = value;
        else problems.push(`${where}: name= must be 1–64 letters, digits, ".", "_" or "-", got "${value.slice(0, 70)}"`);
      } else if (field === 'cap' && cap === undefined) {
        if (value === 'none') cap = null;
        else if (USD_AMOUNT.test(value)) cap = Number(value);
        else problems.push(`${where}: cap= must be an amount in USD per day such as 5 or 0.10, or none, got "${value.slice(0, 20)}"`);
      } else {
        // Not quoted: text after a key that is no setting may be the rest of a key with a space in it.
        problems.push(`${where}: after the key, only one name=… and one cap=… may follow (separated by spaces)`);
      }
    }
    const dailyCapUsd = cap === null ? undefined : (cap ?? defaultCap);
    if (name !== undefined) {
      if (capsByName.has(name) && capsByName.get(name) !== dailyCapUsd)
        problems.push(`${where}: keys named "${name}" share one ledger and must have the same cap`);
      capsByName.set(name, dailyCapUsd);
    }
    if (name === undefined && dailyCapUsd === undefined) return key;
    return { key, ...(name === undefined ? {} : { name }), ...(dailyCapUsd === undefined ? {} : { dailyCapUsd }) };
  });
  return keys;
}

function readRedis(env: Env, problems: string[]): Config['redis'] {
  const raw = env.REDIS_URL?.trim();
  if (!raw) {
    if (env.UPSTREAM_REPLICAS?.trim()) problems.push('UPSTREAM_REPLICAS is only used with REDIS_URL; set both, or neither');
    return undefined;
  }
  // Never quote the URL back: it may hold a password.
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    problems.push('REDIS_URL must be a redis:// or rediss:// URL, such as redis://localhost:6379');
  }
  if (url && url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    problems.push(`REDIS_URL must use redis: or rediss:, got "${url.protocol}"`);
  }
  let replicas = 1;
  if (!env.UPSTREAM_REPLICAS?.trim()) {
    problems.push(
      'UPSTREAM_REPLICAS is required with REDIS_URL: how many replicas share the account (while Redis is unreachable, each keeps to 1/UPSTREAM_REPLICAS of the limits)',
    );
  } else replicas = readInteger(env, 'UPSTREAM_REPLICAS', 1, 1, 10_000, problems);
  const keyPrefix = env.REDIS_KEY_PREFIX?.trim() || 'backlinks:';
  if (!/^[\w:.-]{1,64}$/.test(keyPrefix)) problems.push(`REDIS_KEY_PREFIX must be 1 to 64 letters, digits, _ : . or -, got "${keyPrefix}"`);
  return { url: raw, replicas, keyPrefix };
}

function readTrustedDocuments(env: Env, problems: string[]): TrustedDocumentsConfig | undefined {
  const path = env.TRUSTED_DOCUMENTS?.trim() ?? '';
  const only = readBoolean(env, 'TRUSTED_DOCUMENTS_ONLY', false, problems);
  if (path === '') {
    if (only) problems.push('TRUSTED_DOCUMENTS_ONLY needs TRUSTED_DOCUMENTS, the path of the persisted-documents manifest');
    return undefined;
  }
  const loaded = loadTrustedDocuments(path);
  if ('problem' in loaded) {
    problems.push(loaded.problem);
    return undefined;
  }
  return { path, documents: loaded.documents, only };
}

function readLogLevel(env: Env, problems: string[]): Config['logLevel'] {
  const raw = env.LOG_LEVEL?.trim().toLowerCase() || 'info';
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(raw)) {
    problems.push(`LOG_LEVEL must be debug, info, warn, error or silent, got "${env.LOG_LEVEL}"`);
    return 'info';
  }
  return raw as Config['logLevel'];
}

function readLatency(env: Env, problems: string[]): Config['sandboxLatencyMs'] {
  const raw = env.SANDBOX_LATENCY_MS?.trim();
  if (!raw) return undefined;
  const m = /^(\d+)(?:-(\d+))?$/.exec(raw);
  if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) {
    problems.push(`SANDBOX_LATENCY_MS must be "300" or "300-900" (ms), got "${raw}"`);
    return undefined;
  }
  return m[2] === undefined ? Number(m[1]) : { min: Number(m[1]), max: Number(m[2]) };
}

/**
 * Reads the configuration from environment variables (see README, "Configuration"). With no upstream credentials the
 * server uses the embedded sandbox; `UPSTREAM` forces a choice. Throws `ConfigError` listing every problem.
 */
export function readConfig(env: Env): Config {
  const problems: string[] = [];
  const login = env.DATAFORSEO_LOGIN?.trim() ?? '';
  const password = env.DATAFORSEO_PASSWORD ?? '';
  const apiKey = env.AISA_API_KEY?.trim() ?? '';
  const requested = env.UPSTREAM?.trim().toLowerCase() ?? '';
  if (requested && !['dataforseo', 'aisa', 'sandbox'].includes(requested)) {
    problems.push(`UPSTREAM must be one of dataforseo, aisa, sandbox, got "${env.UPSTREAM}"`);
  }
  const kind = requested || (login || password ? 'dataforseo' : apiKey ? 'aisa' : 'sandbox');

  let upstream: UpstreamConfig = { kind: 'sandbox' };
  if (kind === 'dataforseo') {
    if (!login || !password) {
      problems.push(
        'the DataForSEO upstream needs DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD (or set AISA_API_KEY, or leave all unset to use the sandbox)',
      );
    }
    upstream = { kind, login, password, baseUrl: readBaseUrl(env, 'DATAFORSEO_BASE_URL', DATAFORSEO_DEFAULT_BASE_URL, problems) };
  } else if (kind === 'aisa') {
    if (!apiKey) problems.push('the AIsa upstream needs AISA_API_KEY (or set DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD)');
    upstream = { kind, apiKey, baseUrl: readBaseUrl(env, 'AISA_BASE_URL', AISA_DEFAULT_BASE_URL, problems) };
  }

  const config: Config = {
    port: readInteger(env, 'PORT', 4000, 0, 65_535, problems),
    host: env.HOST?.trim() || undefined,
    upstream,
    upstreamTimeoutMs: readInteger(env, 'UPSTREAM_TIMEOUT_MS', UPSTREAM_TIMEOUT_MS, 1000, 600_000, problems),
    graphiql: readBoolean(env, 'GRAPHIQL', true, problems),
    limits: {
      maxConcurrency: readInteger(
        env,
        'UPSTREAM_MAX_CONCURRENCY',
        UPSTREAM_LIMIT_DEFAULTS[upstream.kind].maxConcurrency,
        1,
        1000,
        problems,
      ),
      maxPerMinute: readInteger(
        env,
        'UPSTREAM_MAX_PER_MINUTE',
        UPSTREAM_LIMIT_DEFAULTS[upstream.kind].maxPerMinute,
        1,
        1_000_000,
        problems,
      ),
      windowMs: readInteger(env, 'UPSTREAM_RATE_WINDOW_MS', 60_000, 1000, 3_600_000, problems),
      queueTimeoutMs: readInteger(env, 'UPSTREAM_QUEUE_TIMEOUT_MS', 30_000, 1, 600_000, problems),
      maxQueued: readInteger(env, 'UPSTREAM_MAX_QUEUE', 10_000, 1, 1_000_000, problems),
    },
    retry: {
      retries: readInteger(env, 'UPSTREAM_RETRIES', 4, 0, 20, problems),
      deadlineMs: readInteger(env, 'UPSTREAM_RETRY_DEADLINE_MS', 60_000, 0, 3_600_000, problems),
    },
    cache: {
      ttlSeconds: readInteger(env, 'CACHE_TTL_SECONDS', 900, 0, 30 * 86_400, problems),
      maxMegabytes: readInteger(env, 'CACHE_MAX_MB', 256, 1, 1_000_000, problems),
    },
    redis: readRedis(env, problems),
    maxUpstreamCallsPerOperation: readInteger(env, 'MAX_UPSTREAM_CALLS_PER_OPERATION', 50, 1, 100_000, problems),
    security: {
      maxDepth: readInteger(env, 'MAX_DEPTH', SECURITY_DEFAULTS.maxDepth, 1, 1000, problems),
      maxAliases: readInteger(env, 'MAX_ALIASES', SECURITY_DEFAULTS.maxAliases, 1, 100_000, problems),
      maxTokens: readInteger(env, 'MAX_TOKENS', SECURITY_DEFAULTS.maxTokens, 10, 1_000_000, problems),
      maxDirectives: readInteger(env, 'MAX_DIRECTIVES', SECURITY_DEFAULTS.maxDirectives, 0, 10_000, problems),
      maxBodyBytes: readInteger(env, 'MAX_BODY_BYTES', SECURITY_DEFAULTS.maxBodyBytes, 100, 100_000_000, problems),
      maxInputDepth: readInteger(env, 'MAX_INPUT_DEPTH', SECURITY_DEFAULTS.maxInputDepth, 2, 100, problems),
      maxResultValues: readInteger(env, 'MAX_RESULT_VALUES', SECURITY_DEFAULTS.maxResultValues, 100, 100_000_000, problems),
      executionMaxValues: readInteger(env, 'EXECUTION_MAX_VALUES', SECURITY_DEFAULTS.executionMaxValues, 10_000, 1_000_000_000, problems),
      executionMaxQueue: readInteger(env, 'EXECUTION_MAX_QUEUE', SECURITY_DEFAULTS.executionMaxQueue, 0, 1_000_000, problems),
      executionQueueTimeoutMs: readInteger(
        env,
        'EXECUTION_QUEUE_TIMEOUT_MS',
        SECURITY_DEFAULTS.executionQueueTimeoutMs,
        100,
        600_000,
        problems,
      ),
      introspection: readBoolean(env, 'INTROSPECTION', SECURITY_DEFAULTS.introspection, problems),
      corsOrigins: readOrigins(env, problems),
      apiKeys: readApiKeys(env, problems),
      apiKeyRateLimitPerMinute: readInteger(
        env,
        'API_KEY_RATE_LIMIT_PER_MINUTE',
        SECURITY_DEFAULTS.apiKeyRateLimitPerMinute,
        1,
        1_000_000,
        problems,
      ),
      apiKeyFailuresPerMinute: readInteger(
        env,
        'API_KEY_FAILURES_PER_MINUTE',
        SECURITY_DEFAULTS.apiKeyFailuresPerMinute,
        1,
        1_000_000,
        problems,
      ),
      allowedHosts: readHosts(env, problems),
      trustedProxies: readProxies(env, problems),
      trustedDocuments: readTrustedDocuments(env, problems),
    },
    http: {
      requestTimeoutMs: readInteger(env, 'REQUEST_TIMEOUT_MS', HTTP_TIMEOUT_DEFAULTS.requestTimeoutMs, 100, 3_600_000, problems),
      headersTimeoutMs: readInteger(env, 'HEADERS_TIMEOUT_MS', HTTP_TIMEOUT_DEFAULTS.headersTimeoutMs, 100, 3_600_000, problems),
      keepAliveTimeoutMs: readInteger(env, 'KEEP_ALIVE_TIMEOUT_MS', HTTP_TIMEOUT_DEFAULTS.keepAliveTimeoutMs, 100, 600_000, problems),
    },
    logLevel: readLogLevel(env, problems),
    sandboxLatencyMs: readLatency(env, problems),
  };
  // Node refuses a headers timeout longer than the request timeout at start-up; say so here, with the rest.
  if (config.http.headersTimeoutMs > config.http.requestTimeoutMs) {
    problems.push(
      `HEADERS_TIMEOUT_MS (${config.http.headersTimeoutMs}) must not exceed REQUEST_TIMEOUT_MS (${config.http.requestTimeoutMs})`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
