import PQueue from 'p-queue';
import { UpstreamError } from '../dataforseo/errors.js';

/**
 * The one process-wide gate every upstream call passes: at most `maxConcurrency` in flight and at most
 * `maxPerWindow` started in any rolling window (p-queue's strict, sliding-window mode), whatever the number of
 * GraphQL requests. Excess waits in a bounded queue; past `queueTimeoutMs` (or when the queue is full) it fails with
 * `UPSTREAM_BUSY` instead of hanging. When the upstream says it is throttling us anyway (40209, 40202, HTTP 429 —
 * another process may share the account), the scheduler slows down: it pauses new starts and lowers its
 * concurrency, then recovers step by step as calls succeed.
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
}

export interface Scheduler {
  /**
   * Runs `call` when a slot and the rate allow; `signal` drops it from the queue if it has not started (and aborts it
   * if it has); `dropIf` only drops it while it waits, failing with its reason (the breaker opened meanwhile).
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

/**
 * Clock differences between our send time and the upstream's arrival time could let a call land just inside a
 * window we think it left; a small margin keeps our rolling windows strictly inside the upstream's.
 */
const WINDOW_MARGIN_MS = 250;

export function createScheduler(options: SchedulerOptions): Scheduler {
  const windowMs = options.windowMs ?? 60_000;
  const queue = new PQueue({
    concurrency: options.maxConcurrency,
    intervalCap: options.maxPerWindow,
    interval: windowMs + WINDOW_MARGIN_MS,
    strict: true,
  });
  let pausedUntil = 0;
  let resumeTimer: NodeJS.Timeout | undefined;

  return {
    async run(call, signal, dropIf) {
      if (dropIf?.aborted) throw dropIf.reason;
      if (queue.size >= options.maxQueued) {
        throw new UpstreamBusyError(
          'UPSTREAM_BUSY',
          `Too many upstream calls are waiting (${options.maxQueued}); try again shortly.`,
          true,
        );
      }
      const waiting = new AbortController();
      const timer = setTimeout(() => {
        waiting.abort(
          new UpstreamBusyError(
            'UPSTREAM_BUSY',
            `No upstream slot within ${options.queueTimeoutMs} ms; the upstream limits are saturated.`,
            true,
          ),
        );
      }, options.queueTimeoutMs);
      const onAbort = () => waiting.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      let started = false;
      // A queued call aborted this way leaves p-queue's window and concurrency untouched: it never took a slot.
      const onDrop = () => {
        if (!started) waiting.abort(dropIf?.reason);
      };
      dropIf?.addEventListener('abort', onDrop, { once: true });
      try {
        return await queue.add(
          () => {
            // Started: the queue timeout and `dropIf` no longer apply, the caller's signal still does.
            started = true;
            clearTimeout(timer);
            return call(signal ?? new AbortController().signal);
          },
          { signal: waiting.signal },
        );
      } catch (error) {
        throw waiting.signal.aborted && waiting.signal.reason instanceof UpstreamError ? waiting.signal.reason : error;
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        dropIf?.removeEventListener('abort', onDrop);
      }
    },
    slowDown(kind, ms) {
      if (kind === 'concurrency') queue.concurrency = Math.max(1, Math.floor(queue.concurrency * 0.8));
      const until = Date.now() + ms;
      if (until <= pausedUntil) return;
      pausedUntil = until;
      queue.pause();
      clearTimeout(resumeTimer);
      resumeTimer = setTimeout(() => {
        pausedUntil = 0;
        queue.start();
      }, ms);
      resumeTimer.unref();
    },
    recovered() {
      if (queue.concurrency < options.maxConcurrency) queue.concurrency += 1;
    },
    state: () => ({ queued: queue.size, inFlight: queue.pending, concurrency: queue.concurrency, pausedUntil }),
  };
}
