import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { createApp } from './app.js';
import { ConfigError, readConfig, type Config } from './config.js';
import { createBacklinksClient } from './dataforseo/client.js';
import { createAisaProvider, createDataForSeoProvider, type Provider } from './dataforseo/providers.js';
import { createSandbox, type Sandbox } from './sandbox/server.js';
import { createMemoryCacheStore } from './upstream/cache.js';
import { createUpstreamGateway } from './upstream/gateway.js';
import { createScheduler } from './upstream/scheduler.js';

/** The process entry: configuration → upstream → app → listen; graceful shutdown. The only file with side effects. */

function log(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
}

async function startUpstream(config: Config): Promise<{ provider: Provider; sandbox?: Sandbox }> {
  const upstream = config.upstream;
  if (upstream.kind === 'dataforseo') return { provider: createDataForSeoProvider(upstream) };
  if (upstream.kind === 'aisa') return { provider: createAisaProvider(upstream) };
  const sandbox = createSandbox();
  const baseUrl = await sandbox.listen(0, '127.0.0.1');
  return { provider: createDataForSeoProvider({ baseUrl, login: 'sandbox', password: 'sandbox' }), sandbox };
}

async function main(): Promise<void> {
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
  const { provider, sandbox } = await startUpstream(config);
  const dispatcher = new Agent({
    headersTimeout: config.upstreamTimeoutMs,
    bodyTimeout: config.upstreamTimeoutMs,
    connectTimeout: 10_000,
    keepAliveTimeout: 4_000,
  });
  const client = createBacklinksClient({ provider, dispatcher, timeoutMs: config.upstreamTimeoutMs });
  // Process-wide: one scheduler, one cache, one gateway for every request.
  const gateway = createUpstreamGateway({
    client,
    scheduler: createScheduler({ ...config.limits, maxPerWindow: config.limits.maxPerMinute, windowMs: 60_000 }),
    retry: { ...config.retry, minDelayMs: 200, maxDelayMs: 10_000 },
    cache: config.cache.ttlSeconds > 0 ? createMemoryCacheStore({ maxMegabytes: config.cache.maxMegabytes }) : undefined,
    cacheTtlMs: config.cache.ttlSeconds * 1000,
  });
  const yoga = createApp({ gateway, graphiql: config.graphiql, sandbox: sandbox !== undefined, maxUpstreamCallsPerOperation: config.maxUpstreamCallsPerOperation });
  const server = createServer(yoga);
  server.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    const url = `http://${config.host && config.host !== '0.0.0.0' && config.host !== '::' ? config.host : 'localhost'}:${port}/graphql`;
    if (sandbox) {
      log('warn', 'No upstream credentials are set: serving SYNTHETIC data from the embedded sandbox. Set DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD, or AISA_API_KEY, for real data.');
    }
    log('info', `GraphQL API ready at ${url}`, { url, upstream: sandbox ? 'sandbox' : provider.name });
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', 'shutting down', { signal });
    server.close(() => {
      void Promise.all([sandbox?.close(), dispatcher.close()]).then(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

await main();
