import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * The Redis connection every shared thing of a replica uses (account limits, answer cache, single flight), and the
 * replica's mode: `shared` while Redis answers, `local-share` while it does not. A command never hangs a request:
 * no offline queue (a command sent while disconnected fails at once), no retry of a command lost with its
 * connection, and a `commandTimeout`. Any failure switches the replica to its local share of the limits (fail
 * closed), logged once; ioredis reconnects by itself, and once Redis answers again the replica re-registers what it
 * did alone (`onReconnect` hooks) before it returns to shared mode, logged once.
 */

/** Where the shared things of a replica are kept now. */
export type SharedMode = 'shared' | 'local-share';

/** Options of `createSharedRedis`. */
export interface SharedRedisOptions {
  /** Prefix of every key and channel; replicas of one account share it. Default `backlinks:`. */
  keyPrefix?: string | undefined;
  /** A command that takes longer fails (and the replica falls back). Default 1000 ms. */
  commandTimeoutMs?: number | undefined;
  /** Connecting takes at most this long per attempt. Default 2000 ms. */
  connectTimeoutMs?: number | undefined;
  /** Mode changes and their reasons; never given the URL or its password. */
  log?: ((level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void) | undefined;
}

/** The connection and mode of one replica. */
export interface SharedRedis {
  /** Commands (no offline queue); send them through `timed`. */
  readonly client: Redis;
  /**
   * A command's reply, or a timeout error after `commandTimeoutMs`. The timeout is judged after the replies already
   * received have been read: when the event loop was blocked for longer than the timeout (a burst of requests on a
   * busy machine), a timer would otherwise fire before the socket is read and fail every command in flight, each
   * then redone without Redis (a duplicate upstream call) for nothing.
   */
  timed<T>(command: Promise<T>): Promise<T>;
  /** Unique to this process: owner of its locks and leases. */
  readonly replicaId: string;
  mode(): SharedMode;
  /**
   * A command failed: local share until Redis answers again. A timeout on a connection that is up is verified
   * first (a PING): a process whose event loop was busy for longer than the timeout sees every reply late, and
   * must not drop out of shared mode for that; the failed command's caller still treats it as failed.
   */
  failed(error: unknown): void;
  /** Run, in order, before each return to shared mode; a hook that throws keeps the replica local (retried later). */
  onReconnect(hook: () => Promise<void>): void;
  onModeChange(listener: (mode: SharedMode) => void): void;
  /** Run once by `close` (timers of the things built on this connection). */
  onClose(hook: () => void): void;
  /** Messages of `channel` (a name under the prefix); subscribed again after every reconnect. */
  subscribe(channel: string, handler: (message: string) => void): void;
  /** `name` under the key prefix. */
  key(name: string): string;
  /** Resolves true once in shared mode, false after `timeoutMs`. */
  whenShared(timeoutMs: number): Promise<boolean>;
  /** Times this replica fell back to its local share. */
  fallbacks(): number;
  close(): Promise<void>;
}

/** How often a replica in local share checks whether Redis answers again (when ioredis has not said so). */
const PROBE_MS = 1000;
/** ioredis's message for a command past `commandTimeout`. */
const COMMAND_TIMED_OUT = 'Command timed out';

/** Connects to `url` (redis:// or rediss://, a password in it never leaves this module) and tracks the mode. */
export function createSharedRedis(url: string, options: SharedRedisOptions = {}): SharedRedis {
  const prefix = options.keyPrefix ?? 'backlinks:';
  const commandTimeoutMs = options.commandTimeoutMs ?? 1000;
  const log = options.log ?? (() => undefined);
  const secret = (() => {
    try {
      return decodeURIComponent(new URL(url).password);
    } catch {
      return '';
    }
  })();
  /** An error as a log field, with the password cut out should a message ever quote it. */
  const describe = (error: unknown) => {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return secret ? text.split(secret).join('***') : text;
  };
  const connection = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // A backstop only (see `timed`): a command still unanswered this long is dropped by ioredis.
    commandTimeout: 10 * commandTimeoutMs,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    // Reconnect for ever, backing off to one attempt every 2 s.
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    enableAutoPipelining: true,
  };
  const client = new Redis(url, connection);
  const subscriber = new Redis(url, { ...connection, autoResubscribe: false });
  const replicaId = `${process.pid.toString(36)}-${randomBytes(6).toString('hex')}`;

  let mode: SharedMode = 'local-share';
  let everShared = false;
  let fallbackCount = 0;
  let closed = false;
  let probing: Promise<void> | undefined;
  let probeTimer: NodeJS.Timeout | undefined;
  const hooks: (() => Promise<void>)[] = [];
  const listeners: ((mode: SharedMode) => void)[] = [];
  const closeHooks: (() => void)[] = [];
  const channels = new Map<string, (message: string) => void>();

  function setMode(next: SharedMode, reason?: unknown): void {
    if (closed || next === mode) return;
    mode = next;
    if (next === 'shared') {
      log(
        'info',
        everShared
          ? 'Redis answers again: shared limits, cache and single flight resumed'
          : 'Redis connected: limits, cache and single flight are shared',
      );
      everShared = true;
    } else {
      fallbackCount += 1;
      log('warn', "Redis is unreachable: this replica runs on its local share of the account's limits until it answers again", {
        error: describe(reason),
      });
    }
    for (const listener of listeners) listener(next);
    scheduleProbe();
  }

  /** Back to shared mode when Redis answers and every hook has re-registered what was done alone. */
  function probe(): Promise<void> {
    probing ??= (async () => {
      // Not before `probing` is assigned: the finally below must clear this run, not an earlier one.
      await Promise.resolve();
      try {
        if (client.status !== 'ready') return;
        await timed(client.ping());
        for (const hook of hooks) await hook();
        setMode('shared');
      } catch (error) {
        if (mode === 'shared') setMode('local-share', error);
      } finally {
        probing = undefined;
        scheduleProbe();
      }
    })();
    return probing;
  }

  function scheduleProbe(): void {
    if (closed || mode === 'shared' || probeTimer) return;
    probeTimer = setTimeout(() => {
      probeTimer = undefined;
      void probe();
    }, PROBE_MS);
    probeTimer.unref();
  }

  client.on('ready', () => void probe());
  client.on('close', () => setMode('local-share', new Error('connection closed')));
  // ioredis emits every connection error here; the mode says it once, the rest would only repeat it.
  let warnedAtStart = false;
  client.on('error', (error: unknown) => {
    if (mode === 'shared') setMode('local-share', error);
    else if (!everShared && !warnedAtStart && !closed) {
      warnedAtStart = true;
      log('warn', "Redis is unreachable: this replica runs on its local share of the account's limits until it answers", {
        error: describe(error),
      });
    }
  });
  subscriber.on('error', () => undefined);
  subscriber.on('ready', () => {
    if (channels.size > 0) subscriber.subscribe(...channels.keys()).catch(() => undefined);
  });
  subscriber.on('message', (channel: string, message: string) => channels.get(channel)?.(message));
  client.connect().catch(() => undefined);
  subscriber.connect().catch(() => undefined);

  let verifying = false;
  /** Falls back unless a PING answers in time. */
  function verify(reason: unknown): void {
    if (verifying) return;
    verifying = true;
    timed(client.ping())
      .catch((error: unknown) => setMode('local-share', error ?? reason))
      .finally(() => {
        verifying = false;
      });
  }

  function timed<T>(command: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      // setImmediate runs after the poll phase: replies that arrived while the loop was blocked are read first.
      const timer = setTimeout(
        () =>
          setImmediate(() => {
            if (settled) return;
            settled = true;
            reject(new Error(COMMAND_TIMED_OUT));
          }),
        commandTimeoutMs,
      );
      command.then(
        (value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(error);
        },
      );
    });
  }

  return {
    client,
    replicaId,
    timed,
    mode: () => mode,
    failed(error) {
      if (mode !== 'shared') return scheduleProbe();
      if (error instanceof Error && error.message === COMMAND_TIMED_OUT && client.status === 'ready') return verify(error);
      setMode('local-share', error);
    },
    onReconnect(hook) {
      hooks.push(hook);
    },
    onModeChange(listener) {
      listeners.push(listener);
    },
    onClose(hook) {
      closeHooks.push(hook);
    },
    subscribe(channel, handler) {
      const name = prefix + channel;
      channels.set(name, handler);
      if (subscriber.status === 'ready') subscriber.subscribe(name).catch(() => undefined);
    },
    key: (name) => prefix + name,
    whenShared(timeoutMs) {
      if (mode === 'shared') return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        listeners.push((next) => {
          if (next !== 'shared') return;
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    fallbacks: () => fallbackCount,
    async close() {
      closed = true;
      clearTimeout(probeTimer);
      for (const hook of closeHooks.splice(0)) hook();
      await Promise.all([client.quit().catch(() => client.disconnect()), subscriber.quit().catch(() => subscriber.disconnect())]);
    },
  };
}
