import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { createApp, type App } from '../../src/http/app.js';
import { createDataForSeoProvider } from '../../src/dataforseo/providers.js';
import { createUpstream, type UpstreamOptions } from '../../src/upstream/index.js';
import { createSharedRedis, type SharedRedis } from '../../src/upstream/shared/redis.js';
import type { SchedulerOptions } from '../../src/upstream/scheduler.js';
import { TEST_LOGIN, TEST_PASSWORD } from './app.js';

/**
 * A real Redis for the shared-mode tests: Debian's `redis-server` (installed by `.ci/run`), on a free loopback port,
 * without persistence, killed and restarted at will. No mock client: what the replicas share is what Redis does.
 */

/** A free loopback port (released just before redis-server binds it). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const processes = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of processes) child.kill('SIGKILL');
});

/** One redis-server; `kill` ends it at once (SIGKILL, no save), `restart` starts a fresh, empty one on the same port (if killed). */
export interface TestRedis {
  port: number;
  url: string;
  running(): boolean;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts redis-server on a free loopback port; `password` sets `requirepass`. */
export async function startRedis(options: { password?: string } = {}): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'];
    if (options.password) args.push('--requirepass', options.password);
    const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    processes.add(started);
    started.once('exit', () => processes.delete(started));
    let output = '';
    await new Promise<void>((resolve, reject) => {
      started.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      started.once('error', reject);
      started.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
    });
    child = started;
  }

  async function kill(): Promise<void> {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null) return;
    const exited = once(current, 'exit');
    current.kill('SIGKILL');
    await exited;
  }

  await start();
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    running: () => child !== undefined,
    kill,
    // A no-op while it runs: only a killed server is started again.
    restart: () => (child && child.exitCode === null ? Promise.resolve() : start()),
    stop: kill,
  };
}

/** Options of one replica: the sandbox it calls, the Redis it shares, and the usual test knobs. */
export interface ReplicaOptions {
  replicas: number;
  limits?: Partial<SchedulerOptions>;
  cacheTtlMs?: number;
  retry?: Partial<UpstreamOptions['retry']>;
  /** Shorter leases and locks, so that a dead owner is seen in a test's time. */
  leaseMs?: number;
  lockTtlMs?: number;
  pollMs?: number;
  maxWaitMs?: number;
  keyPrefix?: string;
}

/** What a replica logged about its mode. */
export interface LogLine {
  level: string;
  msg: string;
}

/**
 * One replica as the server builds it (createUpstream with `shared`, createApp), in-process: tests run several
 * against one Redis and one sandbox. Resolves once it is in shared mode.
 */
export async function startReplica(sandboxUrl: string, redisUrl: string, options: ReplicaOptions) {
  const dispatcher = new Agent({ keepAliveTimeout: 1000, connections: 256 });
  const logs: LogLine[] = [];
  const redis: SharedRedis = createSharedRedis(redisUrl, {
    keyPrefix: options.keyPrefix ?? 'test:',
    commandTimeoutMs: 500,
    connectTimeoutMs: 500,
    log: (level, msg) => logs.push({ level, msg }),
  });
  const { scheduler, gateway } = createUpstream({
    provider: createDataForSeoProvider({ baseUrl: sandboxUrl, login: TEST_LOGIN, password: TEST_PASSWORD }),
    dispatcher,
    timeoutMs: 10_000,
    limits: { maxConcurrency: 1000, maxPerWindow: 1_000_000, queueTimeoutMs: 30_000, maxQueued: 100_000, ...options.limits },
    retry: { retries: 0, deadlineMs: 10_000, minDelayMs: 5, maxDelayMs: 50, rateLimitPauseMs: 20, ...options.retry },
    cache: { ttlMs: options.cacheTtlMs ?? 60_000, maxMegabytes: 64 },
    shared: {
      redis,
      replicas: options.replicas,
      leaseMs: options.leaseMs ?? 2000,
      lockTtlMs: options.lockTtlMs ?? 2000,
      pollMs: options.pollMs ?? 50,
      maxWaitMs: options.maxWaitMs,
    },
  });
  const yoga: App = createApp({ gateway, sandbox: true, logger: false, maxUpstreamCallsPerOperation: 100_000 });
  if (!(await redis.whenShared(5000))) throw new Error('the replica did not reach Redis');
  return {
    yoga,
    redis,
    logs,
    scheduler,
    gateway,
    /** Runs an operation through the app in-process; returns the parsed JSON body. */
    async execute(query: string, variables?: Record<string, unknown>) {
      const response = await yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[]; extensions?: any } };
    },
    async close() {
      await redis.close();
      await dispatcher.close();
    },
  };
}

export type Replica = Awaited<ReturnType<typeof startReplica>>;

/** The error codes of a response, in order. */
export const codesOf = (body: { errors?: { extensions?: { code?: string } }[] }) => (body.errors ?? []).map((e) => e.extensions?.code);
