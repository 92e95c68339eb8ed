import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { createApp } from './http/app.js';
import { createSpendLedger } from './ops/spend-ledger.js';
import { answerClientError, withHostCheck } from './http/client-error.js';
import { ConfigError, readConfig, type Config } from './ops/config.js';
import type { CredentialsState } from './dataforseo/client.js';
import { createAisaProvider, createDataForSeoProvider, type Provider } from './dataforseo/providers.js';
import { createJsonLogger } from './ops/logger.js';
import { createMetrics } from './ops/metrics.js';
import type { Sandbox } from './sandbox/server.js';
import { createUpstream } from './upstream/index.js';

/** The process entry: configuration → upstream → app → listen; graceful shutdown. The only file with side effects. */

/** How long a graceful shutdown waits for in-flight requests before it ends them. */
const SHUTDOWN_GRACE_MS = 30_000;
/** How often credentials without a clear answer (or rejected ones) are checked again. */
const CREDENTIALS_RECHECK_MS = 60_000;
/** How long the start waits for Redis before serving on the local share of the limits (it keeps reconnecting). */
const REDIS_START_WAIT_MS = 3000;

async function startUpstream(config: Config): Promise<{ provider: Provider; sandbox?: Sandbox }> {
  const upstream = config.upstream;
  if (upstream.kind === 'dataforseo') return { provider: createDataForSeoProvider(upstream) };
  if (upstream.kind === 'aisa') return { provider: createAisaProvider(upstream) };
  // Imported only when it runs: a server with an upstream account does not hold the sandbox's code and link graph.
  const { createSandbox } = await import('./sandbox/server.js');
  const sandbox = createSandbox({ faults: config.sandboxLatencyMs === undefined ? {} : { latencyMs: config.sandboxLatencyMs } });
  const baseUrl = await sandbox.listen(0, '127.0.0.1');
  return { provider: createDataForSeoProvider({ baseUrl, login: 'sandbox', password: 'sandbox' }), sandbox };
}

/** Why the server could not start, in one line a person can act on (no stack trace). */
function startFailure(error: unknown, port: number): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') return `Port ${port} is already in use: stop what listens there, or set PORT to another port.`;
  if (code === 'EACCES') return `Port ${port} needs privileges this process does not have: set PORT to one above 1023.`;
  if (code === 'EADDRNOTAVAIL') return `HOST is not an address of this machine: set HOST to one of its addresses, or leave it unset.`;
  return `The server could not start: ${error instanceof Error ? error.message : String(error)}`;
}

async function main(): Promise<void> {
  // A .env in the working directory, read with Node's own loader; variables already set win over it.
  if (existsSync('.env')) {
    try {
      process.loadEnvFile('.env');
    } catch (error) {
      process.stderr.write(`.env could not be read: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
  }
  let config: Config;
  try {
    config = readConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee README.md, "Configuration".\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createJsonLogger(config.logLevel);
  const { provider, sandbox } = await startUpstream(config);
  const dispatcher = new Agent({
    headersTimeout: config.upstreamTimeoutMs,
    bodyTimeout: config.upstreamTimeoutMs,
    connectTimeout: 10_000,
    keepAliveTimeout: 4_000,
  });
  // Several replicas, one account: limits, cache and single flight in Redis (the mode changes are logged there).
  const redis = config.redis
    ? // Imported only with REDIS_URL set: a single server does not load the Redis client.
      (await import('./upstream/shared/redis.js')).createSharedRedis(config.redis.url, {
        keyPrefix: config.redis.keyPrefix,
        log: (level, msg, fields) => logger.log(level, msg, fields),
      })
    : undefined;
  if (redis) await redis.whenShared(REDIS_START_WAIT_MS);
  // Process-wide: one scheduler, one cache, one gateway, one set of metrics for every request.
  const { client, scheduler, gateway } = createUpstream({
    provider,
    dispatcher,
    timeoutMs: config.upstreamTimeoutMs,
    limits: { ...config.limits, maxPerWindow: config.limits.maxPerMinute },
    retry: { ...config.retry, minDelayMs: 200, maxDelayMs: 10_000 },
    cache: { ttlMs: config.cache.ttlSeconds * 1000, maxMegabytes: config.cache.maxMegabytes },
    onCall: (event) => metrics.upstreamCall(event),
    shared: redis && config.redis ? { redis, replicas: config.redis.replicas } : undefined,
  });
  const metrics = createMetrics({
    scheduler: () => scheduler.state(),
    ...(redis ? { shared: { fallbacks: () => redis.fallbacks() } } : {}),
  });
  const upstreamName = sandbox ? 'sandbox' : provider.name;
  // Whether the upstream accepts the credentials, asked at start with the provider's free account call (DataForSEO's
  // appendix/user_data; AIsa has none, so its key stays `unverified` until used), and again every minute until it
  // has a clear answer or while it says no. Rejected credentials make /ready say not ready.
  let credentials: CredentialsState | 'checking' = 'checking';
  const checkCredentials = async () => {
    const state = await client.checkCredentials();
    if (state === 'rejected' && credentials !== 'rejected') {
      logger.log('error', `The ${upstreamName} upstream rejects the configured credentials: /ready says not ready until they are fixed.`);
    }
    credentials = state;
    if (state === 'rejected' || state === 'unknown') setTimeout(() => void checkCredentials(), CREDENTIALS_RECHECK_MS).unref();
  };
  void checkCredentials();
  // The API keys' spend ledger: in Redis beside the limits when REDIS_URL is set (one cap per key for every
  // replica, kept over restarts), else in this process. It fails closed; its failures are logged once a minute.
  let spendWarnedAt = 0;
  const spendLedger =
    config.security.apiKeys.length > 0
      ? createSpendLedger({
          redis: redis?.client,
          ...(config.redis ? { keyPrefix: config.redis.keyPrefix } : {}),
          onError: () => {
            if (Date.now() - spendWarnedAt < 60_000) return;
            spendWarnedAt = Date.now();
            logger.log('warn', 'The spend ledger cannot be reached: operations of capped API keys are refused until it answers.');
          },
        })
      : undefined;
  const yoga = createApp({
    gateway,
    graphiql: config.graphiql,
    sandbox: sandbox !== undefined,
    maxUpstreamCallsPerOperation: config.maxUpstreamCallsPerOperation,
    security: config.security,
    ...(spendLedger ? { spendLedger } : {}),
    metrics,
    logger,
    // Started means configured: readConfig refused anything incomplete. Credentials the upstream rejects are judged:
    // no replica can serve with them. The breaker is reported, not judged: an upstream outage must not take every
    // replica out of a load balancer at once. So is the limits' mode: a replica whose Redis is away still serves,
    // within its local share (`local-share`).
    ready: () => ({
      ready: credentials !== 'rejected',
      upstream: upstreamName,
      credentials,
      breaker: gateway.breakerState(),
      limits: scheduler.state().mode,
    }),
  });
  // Timeouts on receiving a request (a body trickled in byte by byte holds a socket 30 s, not Node's 300 s); once a
  // request is received they no longer apply, so a slow upstream answer is never cut. Node checks them every
  // connectionsCheckingInterval: often enough that a timeout is kept to within a second.
  const server = createServer(
    {
      requestTimeout: config.http.requestTimeoutMs,
      headersTimeout: config.http.headersTimeoutMs,
      keepAliveTimeout: config.http.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, config.http.headersTimeoutMs),
    },
    withHostCheck(yoga),
  );
  server.on('clientError', answerClientError);
  // A busy port and the like: one line that says what to do, then exit 1 (not an unhandled 'error' and its stack).
  server.once('error', (error) => {
    process.stderr.write(`${startFailure(error, config.port)}\n`);
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    const url = `http://${config.host && config.host !== '0.0.0.0' && config.host !== '::' ? config.host : 'localhost'}:${port}/graphql`;
    if (sandbox) {
      logger.log(
        'warn',
        'No upstream credentials are set: serving SYNTHETIC data from the embedded sandbox. Set DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD, or AISA_API_KEY, for real data.',
      );
    }
    logger.log('info', `GraphQL API ready at ${url}`, { url, upstream: upstreamName, apiKeys: config.security.apiKeys.length > 0 });
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log('info', 'shutting down: finishing in-flight requests', { signal });
    // No new connections; idle keep-alive sockets close now, busy ones once their response is sent.
    server.close(() => {
      void Promise.all([sandbox?.close(), dispatcher.close(), redis?.close()]).then(() => {
        logger.log('info', 'stopped');
        process.exit(0);
      });
    });
    server.closeIdleConnections();
    setTimeout(() => {
      logger.log('warn', 'in-flight requests did not finish in time; closing them', { graceMs: SHUTDOWN_GRACE_MS });
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

await main();
