import { UpstreamError } from '../dataforseo/errors.js';
import { createLocalLimiter, type AccountLimiter, type LimitsMode } from './limiter.js';

/**
 * The one process-wide gate every upstream call passes. Calls wait in a bounded FIFO queue; the head starts when the
 * account limiter (`limiter.ts`: concurrency, rolling per-window cap, smooth pacing, AIMD slow-down; in memory, or in
 * Redis for every replica) grants it a lease. Past `queueTimeoutMs` (or when the queue is full) a call fails with
 * `UPSTREAM_BUSY` instead of hanging. When the upstream says it is throttling us anyway (40209, 40202, HTTP 429 —
 * another process may share the account), the limiter pauses new starts and lowers its concurrency, then recovers
 * step by step as calls succeed.
 *
 * Hand-written rather than p-queue (which this replaces): a start must wait for an answer of the shared limiter
 * (a Redis round trip that may say "in 40 ms"), asked for one call at a time and in order, and p-queue can only
 * gate starts on its own in-process counters.
 */

export interface SchedulerOptions {
  /** Calls in flight at once. */
  maxConcurrency: number;
  /** Calls started per rolling window. */
  maxPerWindow: number;
  /** The window, 60 000 ms for the upstream's per-minute limit. */
  windowMs?: number;
  /** How long a call may wait for its turn. */
  queueTimeoutMs: number;
  /** How many calls may wait. */
  maxQueued: number;
}

/** What the scheduler is doing now, for metrics. */
export interface SchedulerState {
  queued: number;
  inFlight: number;
  concurrency: number;
  pausedUntil: number;
  /** Where the account's limits are kept (see `LimitsMode`). */
  mode: LimitsMode;
}

export interface Scheduler {
  /**
   * Runs `call` when the limits allow; `signal` drops it from the queue while it has not started (once started, it
   * runs to its answer: a call on the wire is billed anyway); `dropIf` only drops it while it waits, failing with
   * its reason (the breaker opened meanwhile).
   */
  run<T>(call: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal, dropIf?: AbortSignal): Promise<T>;
  /** The upstream throttled us: pause new starts for `ms`, and for concurrency limits, run fewer at once. */
  slowDown(kind: 'concurrency' | 'rate', ms: number): void;
  /** A call succeeded: recover one step of concurrency lost to `slowDown`. */
  recovered(): void;
  state(): SchedulerState;
}

/** A call that waited too long, or found the queue full. */
export class UpstreamBusyError extends UpstreamError {
  override readonly name = 'UpstreamBusyError';
}

/** Longest wait before asking the limiter again when it gave no better hint (another replica's release may be missed). */
const MAX_WAKE_MS = 250;

interface Waiter {
  id: string;
  start(): void;
  fail(error: unknown): void;
}

/** A scheduler over `limiter` (default: the in-memory limits of `options`). */
export function createScheduler(options: SchedulerOptions, limiter?: AccountLimiter): Scheduler {
  const limits =
    limiter ??
    createLocalLimiter({
      maxConcurrency: options.maxConcurrency,
      maxPerWindow: options.maxPerWindow,
      windowMs: options.windowMs ?? 60_000,
    });
  // Insertion-ordered: the first entry is the head; a call that leaves the queue early is deleted where it is.
  const queue = new Set<Waiter>();
  let running = 0;
  let sequence = 0;
  const prefix = Math.random().toString(36).slice(2, 10);
  let pumping = false;
  let again = false;
  let wakeTimer: NodeJS.Timeout | undefined;
  let wakeAt = Infinity;

  function wake(): void {
    if (pumping) {
      again = true;
      return;
    }
    void pump();
  }
  limits.onWake(wake);

  function wakeIn(ms: number): void {
    const at = Date.now() + Math.min(ms, MAX_WAKE_MS);
    if (!Number.isFinite(ms) && running > 0) return; // a release of ours wakes the queue
    if (wakeTimer && wakeAt <= at) return;
    clearTimeout(wakeTimer);
    wakeAt = at;
    wakeTimer = setTimeout(
      () => {
        wakeTimer = undefined;
        wakeAt = Infinity;
        wake();
      },
      Math.max(1, at - Date.now()),
    );
  }

  /** Starts queued calls, in order, while the limiter grants leases; one pump at a time. */
  async function pump(): Promise<void> {
    pumping = true;
    try {
      do {
        again = false;
        for (;;) {
          const head = queue.values().next().value;
          if (!head) break;
          let admission;
          try {
            admission = await limits.acquire(head.id);
          } catch (error) {
            // The limiters fail closed inside (a shared limiter falls back to the local share); this is a bug guard.
            queue.delete(head);
            head.fail(error);
            continue;
          }
          if (!queue.has(head)) {
            // Left the queue (timeout, abort, breaker) while we asked.
            if (admission.granted) limits.release(head.id);
            continue;
          }
          if (!admission.granted) {
            wakeIn(admission.retryInMs);
            break;
          }
          queue.delete(head);
          head.start();
        }
      } while (again);
    } finally {
      pumping = false;
    }
  }

  return {
    run(call, signal, dropIf) {
      if (dropIf?.aborted) return Promise.reject(dropIf.reason as Error);
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      if (queue.size >= options.maxQueued) {
        return Promise.reject(
          new UpstreamBusyError('UPSTREAM_BUSY', `Too many upstream calls are waiting (${options.maxQueued}); try again shortly.`, true),
        );
      }
      return new Promise((resolve, reject) => {
        const cleanup = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          dropIf?.removeEventListener('abort', onDrop);
        };
        const leave = (error: unknown) => {
          if (!queue.delete(waiter)) return;
          cleanup();
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(error);
          // The head may have left: the next one may start now.
          wake();
        };
        const onAbort = () => leave(signal?.reason);
        // A queued call dropped this way never took a lease: the limits are untouched.
        const onDrop = () => leave(dropIf?.reason);
        const timer = setTimeout(() => {
          leave(
            new UpstreamBusyError(
              'UPSTREAM_BUSY',
              `No upstream slot within ${options.queueTimeoutMs} ms; the upstream limits are saturated.`,
              true,
            ),
          );
        }, options.queueTimeoutMs);
        const waiter: Waiter = {
          id: `${prefix}:${(sequence += 1)}`,
          start() {
            // Started: the queue timeout, `dropIf` and the caller's signal no longer apply. A call on the wire is
            // billed whether or not anyone waits for it, so it runs to its answer (cached, and charged to the
            // operation that started it) rather than being cut and paid for nothing; its own timeouts bound it.
            cleanup();
            running += 1;
            Promise.resolve()
              .then(() => call(new AbortController().signal))
              .then(resolve, reject)
              .finally(() => {
                running -= 1;
                limits.release(waiter.id);
                wake();
              });
          },
          fail(error) {
            cleanup();
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
            reject(error);
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        dropIf?.addEventListener('abort', onDrop, { once: true });
        queue.add(waiter);
        wake();
      });
    },
    slowDown(kind, ms) {
      limits.slowDown(kind, ms);
    },
    recovered() {
      limits.recovered();
    },
    state() {
      const { concurrency, pausedUntil, mode } = limits.state();
      return { queued: queue.size, inFlight: running, concurrency, pausedUntil, mode };
    },
  };
}
