/**
 * The account's limits, decided per call: may one more upstream call start now? Three rules, the same here (one
 * process) and in Redis (`shared/limiter.ts`, every replica):
 * - concurrency: at most `maxConcurrency` calls in flight (lowered while the upstream throttles, see below);
 * - a hard cap: at most `maxPerWindow` calls started in any rolling window (a log of start times), as the upstream
 *   counts them;
 * - smooth pacing: a token bucket of `paceBurst` tokens refilled at `maxPerWindow` per window. A burst of distinct
 *   work starts a burst of `paceBurst` calls at once, then flows at the allowed rate, so the minute's budget is
 *   spread over the minute instead of spent in its first seconds (and every other client of the account stalled
 *   until it ends); the upstream asks for a steady flow rather than bursts close to the limit.
 * After the upstream throttles us anyway (40209, 40202, 429: someone else spends from the account), new starts pause
 * and the concurrency is lowered by a fifth, then raised one step per successful call (AIMD).
 *
 * Hand-written rather than p-queue's interval (a strict window, bursty by design) or rate-limiter-flexible's limiters
 * (fixed windows, which let twice the limit through across a window boundary, and no concurrency): the three rules
 * are decided together, so that a call refused by one takes nothing from the others.
 */

/** What the upstream allows, for the whole account. */
export interface AccountLimits {
  /** Calls in flight at once. */
  maxConcurrency: number;
  /** Calls started per rolling window. */
  maxPerWindow: number;
  /** The window, 60 000 ms for a per-minute limit. */
  windowMs: number;
}

/** Where the limits are kept: this process alone, Redis (every replica), or this replica's share while Redis is away. */
export type LimitsMode = 'process' | 'shared' | 'local-share';

/** A call may start (it holds a lease until `release`), or should ask again in `retryInMs` (Infinity: at a release). */
export type Admission = { granted: true } | { granted: false; retryInMs: number };

/** What the limiter is doing now, for metrics and readiness. */
export interface LimiterState {
  mode: LimitsMode;
  /** Current concurrency limit (lowered while the upstream throttles). */
  concurrency: number;
  /** New starts are paused until then (epoch ms), 0 when not paused. */
  pausedUntil: number;
}

/** The account-wide gate the scheduler asks before every start. */
export interface AccountLimiter {
  /** Takes a lease for call `id` if the limits allow it now. */
  acquire(id: string): Promise<Admission>;
  /** The call `id` ended: its lease is given back. */
  release(id: string): void;
  /** The upstream throttled us: pause new starts for `ms`; for concurrency limits, run fewer at once. */
  slowDown(kind: 'concurrency' | 'rate', ms: number): void;
  /** A call succeeded: recover one step of concurrency lost to `slowDown`. */
  recovered(): void;
  state(): LimiterState;
  /** Called when a slot may have been freed somewhere else (another replica), so the scheduler asks again. */
  onWake(listener: () => void): void;
}

/**
 * Clock differences between our send time and the upstream's arrival time could let a call land just inside a
 * window we think it left; a small margin keeps our rolling windows strictly inside the upstream's. 250 ms was too
 * little on a busy 2-core machine: three replicas in one process let 2 of 100 calls land inside the upstream's window
 * (test/shared/limits.test.ts, every run), where 500 ms let none. It costs under 1 % of a 60 s window.
 */
export const WINDOW_MARGIN_MS = 500;

/** The token bucket of a per-window limit: at least a 60th of the window's budget, at least 10 calls (or the whole budget when smaller). */
export function pacingOf(limits: Pick<AccountLimits, 'maxPerWindow' | 'windowMs'>): { burst: number; perMs: number; windowMs: number } {
  const windowMs = limits.windowMs + WINDOW_MARGIN_MS;
  const burst = Math.max(1, Math.ceil(limits.maxPerWindow / 60), Math.min(limits.maxPerWindow, 10));
  return { burst, perMs: limits.maxPerWindow / windowMs, windowMs };
}

/** A replica's share of the account's limits while it cannot reach the others: 1/replicas of each, at least 1. */
export function shareOf(limits: AccountLimits, replicas: number): AccountLimits {
  return {
    maxConcurrency: Math.max(1, Math.floor(limits.maxConcurrency / replicas)),
    maxPerWindow: Math.max(1, Math.floor(limits.maxPerWindow / replicas)),
    windowMs: limits.windowMs,
  };
}

/** One start: the call's id and when it started. */
export interface Start {
  id: string;
  at: number;
}

/** The in-process limiter; `shared/limiter.ts` also keeps one as this replica's own record and fallback. */
export interface LocalLimiter extends AccountLimiter {
  acquireNow(id: string): Admission;
  /** Records a start admitted elsewhere (by Redis): it counts against this replica's own limits too. */
  record(id: string): void;
  /** Ids of the calls in flight. */
  running(): string[];
  /** Starts within the window, oldest first. */
  recentStarts(): Start[];
}

/** The limits of one process, in memory. */
export function createLocalLimiter(limits: AccountLimits, options: { now?: () => number; mode?: LimitsMode } = {}): LocalLimiter {
  const now = options.now ?? Date.now;
  const pacing = pacingOf(limits);
  // Starts within the window, oldest first; `head` skips those that left it (compacted now and then).
  let starts: Start[] = [];
  let head = 0;
  const inFlight = new Set<string>();
  let tokens = pacing.burst;
  let refilledAt = now();
  let concurrency = limits.maxConcurrency;
  let pausedUntil = 0;

  function prune(t: number): void {
    while (head < starts.length && (starts[head]?.at ?? t) <= t - pacing.windowMs) head += 1;
    if (head > 1024 && head * 2 > starts.length) {
      starts = starts.slice(head);
      head = 0;
    }
  }

  function refill(t: number): void {
    tokens = Math.min(pacing.burst, tokens + (t - refilledAt) * pacing.perMs);
    refilledAt = t;
  }

  function record(id: string, t: number): void {
    inFlight.add(id);
    starts.push({ id, at: t });
  }

  function acquireNow(id: string): Admission {
    const t = now();
    if (t < pausedUntil) return { granted: false, retryInMs: pausedUntil - t };
    if (inFlight.size >= concurrency) return { granted: false, retryInMs: Infinity };
    prune(t);
    if (starts.length - head >= limits.maxPerWindow) {
      return { granted: false, retryInMs: (starts[head]?.at ?? t) + pacing.windowMs - t + 1 };
    }
    refill(t);
    if (tokens < 1) return { granted: false, retryInMs: Math.ceil((1 - tokens) / pacing.perMs) };
    tokens -= 1;
    record(id, t);
    return { granted: true };
  }

  return {
    acquireNow,
    acquire: (id) => Promise.resolve(acquireNow(id)),
    record(id) {
      // Admitted by the shared limits: counted in flight and in the window (the hard guarantees), not in the bucket
      // (pacing only smooths; a replica that did most of the account's work must not then wait windows to pay it back).
      const t = now();
      prune(t);
      record(id, t);
    },
    release(id) {
      inFlight.delete(id);
    },
    slowDown(kind, ms) {
      if (kind === 'concurrency') concurrency = Math.max(1, Math.floor(concurrency * 0.8));
      pausedUntil = Math.max(pausedUntil, now() + ms);
    },
    recovered() {
      if (concurrency < limits.maxConcurrency) concurrency += 1;
    },
    state: () => ({ mode: options.mode ?? 'process', concurrency, pausedUntil: pausedUntil > now() ? pausedUntil : 0 }),
    onWake() {
      // Alone in its process: every slot is freed by a release the scheduler sees itself.
    },
    running: () => [...inFlight],
    recentStarts() {
      prune(now());
      return starts.slice(head);
    },
  };
}
