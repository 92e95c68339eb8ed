import { createHash } from 'node:crypto';
import { UpstreamError, type UpstreamErrorCode } from '../../dataforseo/errors.js';
import { UpstreamCircuitOpenError } from '../breaker.js';
import { UpstreamBusyError } from '../scheduler.js';
import type { SharedRedis } from './redis.js';
import { script } from './script.js';

/**
 * Single flight across replicas: an identical task in flight on any replica is joined, not repeated. The replica
 * that sends a task holds its lock (`SET NX PX`, refreshed every third of `lockTtlMs` while the call runs); the
 * others wait for its outcome, told by pub/sub and, in case a message is lost (a reconnect), by polling the lock
 * every `pollMs`. Success: the answer is in the cache (or, with the cache off, in a short-lived entry) for the
 * waiters to read. A failure that says something about the task (an `UpstreamError`) is told to the waiters, which
 * fail with it as local joiners do; a failure local to the owner (its queue was full, its breaker open, its clients
 * went away) sets the waiters free to call themselves. An owner that dies mid-call stops refreshing its lock: the
 * lock expires within `lockTtlMs` and a waiter takes the call over. No waiter waits longer than `maxWaitMs`.
 *
 * Hand-written: the single-flight libraries for Node are in-process (or Redis mutexes without an outcome to share),
 * and the owner must publish per target for bulk calls, whose targets are locked one by one.
 */

/** Options of `createSharedFlights`. */
export interface SharedFlightOptions {
  /** A lock outlives an owner that stopped refreshing it (died) by at most this. Default 10 000 ms. */
  lockTtlMs?: number | undefined;
  /** How often a waiter checks that the owner's lock still exists. Default 250 ms. */
  pollMs?: number | undefined;
  /** The longest a waiter waits before it calls itself. Default 180 000 ms (queue, retries and a slow call). */
  maxWaitMs?: number | undefined;
}

/** How a flight led here ended, for the waiters elsewhere. */
export type FlightOutcome = { ok: true } | { ok: false; error: unknown };

/** What a waiter learnt: the answer is stored, the owner failed with `error`, the flight is free (take it over), or it waited too long. */
export type RemoteOutcome = { kind: 'done' } | { kind: 'failed'; error: UpstreamError } | { kind: 'free' } | { kind: 'timeout' };

/** A wait on the flight of one key, registered before trying to lead it so that no outcome is missed. */
export interface FlightWatch {
  outcome(signal?: AbortSignal): Promise<RemoteOutcome>;
  cancel(): void;
}

export interface SharedFlights {
  watch(key: string): FlightWatch;
  /** Takes the lock of each key it can; `shared` false: Redis is not usable, lead every key without one. */
  tryLead(keys: readonly string[]): Promise<{ led: boolean[]; shared: boolean }>;
  /** Ends the flights of `keys` led here: their locks are released and the waiters told. */
  finish(keys: readonly string[], outcome: FlightOutcome): void;
}

interface SerializedError {
  code: UpstreamErrorCode;
  message: string;
  retryable: boolean;
  statusCode?: number | undefined;
  httpStatus?: number | undefined;
  endpoint?: string | undefined;
}

interface Message {
  o: 'ok' | 'fail' | 'free';
  h: string[];
  e?: SerializedError;
}

/** Failures that belong to the task and the upstream, not to the replica that sent it. */
function shareable(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError && !(error instanceof UpstreamBusyError) && !(error instanceof UpstreamCircuitOpenError);
}

/** ARGV: token, ttlMs, then the lock keys as KEYS. Refreshes the locks still held by `token`. */
const REFRESH = `
local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('PEXPIRE', key, ARGV[2]); n = n + 1 end
end
return n
`;

/** Releases the locks still held by `token` (ARGV[1]) and publishes ARGV[3] on ARGV[2]. */
const RELEASE = `
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
`;

/** The flights of one replica. */
export function createSharedFlights(redis: SharedRedis, options: SharedFlightOptions = {}): SharedFlights {
  const lockTtlMs = options.lockTtlMs ?? 10_000;
  const pollMs = options.pollMs ?? 250;
  const maxWaitMs = options.maxWaitMs ?? 180_000;
  const channel = 'flights';
  const channelKey = redis.key(channel);
  const token = redis.replicaId;
  const hashOf = (key: string) => createHash('sha256').update(key).digest('base64url').slice(0, 32);
  const lockOf = (hash: string) => redis.key(`lock:${hash}`);
  const refresh = script(redis, 'backlinksFlightRefresh', REFRESH);
  const release = script(redis, 'backlinksFlightRelease', RELEASE);

  /** Locks held here, by lock key: refreshed while their calls run. */
  const held = new Map<string, number>();
  interface Waiter {
    hash: string;
    deadline: number;
    settle(outcome: RemoteOutcome): void;
  }
  const waiters = new Map<string, Set<Waiter>>();

  redis.subscribe(channel, (text) => {
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      return;
    }
    const outcome: RemoteOutcome =
      message.o === 'ok'
        ? { kind: 'done' }
        : message.o === 'fail' && message.e
          ? {
              kind: 'failed',
              error: new UpstreamError(message.e.code, message.e.message, message.e.retryable, {
                statusCode: message.e.statusCode,
                httpStatus: message.e.httpStatus,
                endpoint: message.e.endpoint,
              }),
            }
          : { kind: 'free' };
    for (const hash of message.h) for (const waiter of waiters.get(hash) ?? []) waiter.settle(outcome);
  });

  const heartbeat = setInterval(
    () => {
      if (held.size === 0 || redis.mode() !== 'shared') return;
      refresh([...held.keys()], [token, lockTtlMs]).catch((error: unknown) => redis.failed(error));
    },
    Math.max(10, Math.floor(lockTtlMs / 3)),
  );
  heartbeat.unref();

  // One poll for every waiter: a lock gone without a message means the flight is free (its owner died, or the
  // message was lost); a waiter past its deadline stops waiting; Redis unusable sets everyone free to call.
  let polling = false;
  const poller = setInterval(() => {
    if (polling || waiters.size === 0) return;
    polling = true;
    const now = Date.now();
    const hashes = [...waiters.keys()];
    void Promise.all(
      hashes.map(async (hash) => {
        const set = waiters.get(hash);
        if (!set) return;
        for (const waiter of set) if (waiter.deadline <= now) waiter.settle({ kind: 'timeout' });
        // Asked even in local share: while the lock can be read, its owner is alive and its answer will come.
        let free: boolean;
        try {
          free = (await redis.timed(redis.client.exists(lockOf(hash)))) === 0;
        } catch (error) {
          redis.failed(error);
          free = redis.mode() !== 'shared';
        }
        if (free) for (const waiter of waiters.get(hash) ?? []) waiter.settle({ kind: 'free' });
      }),
    ).finally(() => {
      polling = false;
    });
  }, pollMs);
  poller.unref();
  redis.onClose(() => {
    clearInterval(heartbeat);
    clearInterval(poller);
  });

  function send(hashes: string[], message: Omit<Message, 'h'>): Promise<unknown> {
    const locks = hashes.map(lockOf);
    return release(locks, [token, channelKey, JSON.stringify({ ...message, h: hashes })]);
  }

  return {
    watch(key) {
      const hash = hashOf(key);
      let settled: RemoteOutcome | undefined;
      let notify: ((outcome: RemoteOutcome) => void) | undefined;
      const waiter: Waiter = {
        hash,
        deadline: Date.now() + maxWaitMs,
        settle(outcome) {
          if (settled) return;
          settled = outcome;
          remove();
          notify?.(outcome);
        },
      };
      const remove = () => {
        const set = waiters.get(hash);
        set?.delete(waiter);
        if (set?.size === 0) waiters.delete(hash);
      };
      const set = waiters.get(hash) ?? new Set<Waiter>();
      set.add(waiter);
      waiters.set(hash, set);
      return {
        outcome(signal) {
          if (settled) return Promise.resolve(settled);
          return new Promise((resolve, reject) => {
            const onAbort = () => {
              remove();
              // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
              reject(signal?.reason);
            };
            if (signal?.aborted) return onAbort();
            signal?.addEventListener('abort', onAbort, { once: true });
            notify = (outcome) => {
              signal?.removeEventListener('abort', onAbort);
              resolve(outcome);
            };
          });
        },
        cancel: remove,
      };
    },

    async tryLead(keys) {
      if (redis.mode() !== 'shared') return { led: keys.map(() => true), shared: false };
      const locks = keys.map((key) => lockOf(hashOf(key)));
      try {
        const replies = await Promise.all(locks.map((lock) => redis.timed(redis.client.set(lock, token, 'PX', lockTtlMs, 'NX'))));
        const led = replies.map((reply) => reply === 'OK');
        led.forEach((mine, i) => {
          const lock = locks[i];
          if (mine && lock) held.set(lock, (held.get(lock) ?? 0) + 1);
        });
        return { led, shared: true };
      } catch (error) {
        redis.failed(error);
        // Locks this attempt may have taken expire by themselves; nobody waits on them for long (`free` on poll).
        return { led: keys.map(() => true), shared: false };
      }
    },

    finish(keys, outcome) {
      const hashes = keys.map(hashOf);
      for (const hash of hashes) {
        const lock = lockOf(hash);
        const n = (held.get(lock) ?? 1) - 1;
        if (n > 0) held.set(lock, n);
        else held.delete(lock);
      }
      if (redis.mode() !== 'shared' || hashes.length === 0) return;
      const message: Omit<Message, 'h'> = outcome.ok
        ? { o: 'ok' }
        : shareable(outcome.error)
          ? {
              o: 'fail',
              e: {
                code: outcome.error.code,
                message: outcome.error.message,
                retryable: outcome.error.retryable,
                statusCode: outcome.error.statusCode,
                httpStatus: outcome.error.httpStatus,
                endpoint: outcome.error.endpoint,
              },
            }
          : { o: 'free' };
      send(hashes, message).catch((error: unknown) => redis.failed(error));
    },
  };
}
