import { setMaxListeners } from 'node:events';
import { UpstreamError } from '../dataforseo/errors.js';

/**
 * The circuit breaker of the upstream, shared by every client of the process. It measures the upstream, not one
 * client:
 * - it opens when, in a rolling window, enough DISTINCT sources failed in a way that says the upstream is unhealthy,
 *   and they are most of the sources seen. A source is a task's target (its targets, for an intersection), not its
 *   task key: one client can spell a broken target as hundreds of distinct tasks (options, page sizes, partners of an
 *   intersection), and a failing task whose target already failed in the window counts again only when that entry
 *   has left the window;
 * - outcomes that say nothing about the upstream's health (a call dropped from the queue, aborted by its client, an
 *   unreadable answer) count neither way;
 * - whether a call may go is decided before it takes a scheduler slot; while open, calls are refused at once, and
 *   when a call was admitted but still waits for a slot as the breaker opens, it is dropped from the queue;
 * - half-open lets one probe through at a time; a source whose probe failed waits one more reset period before it
 *   may probe again (while others may), so a client that holds a broken target cannot win every probe and keep the
 *   breaker open after an outage ends, and a client that only ever asks for one target still gets its turn.
 *
 * Hand-written, not opossum (which this replaces) nor cockatiel: both count calls, not distinct sources; opossum's
 * `errorFilter` turns a filtered error into a success (one that dilutes the window, and closes a half-open breaker on
 * a probe that never reached the upstream); and neither lets the probe be chosen, nor has a neutral outcome.
 */

/** The breaker is open: the upstream kept failing, calls are refused for a moment. */
export class UpstreamCircuitOpenError extends UpstreamError {
  override readonly name = 'UpstreamCircuitOpenError';
}

/** Open, half-open (one probe at a time) or closed. */
export type BreakerState = 'open' | 'half-open' | 'closed';

/** What one call said about the upstream: it answered, it failed as an unhealthy upstream does, or nothing. */
export type CallHealth = 'healthy' | 'unhealthy' | 'unknown';

/** Options of `createCircuitBreaker`. */
export interface CircuitBreakerOptions {
  /** Opens when at least this share (%) of the distinct sources seen in the window failed. Default 80. */
  errorPercentage?: number | undefined;
  /** … and at least this many distinct sources failed. Default 10. */
  volume?: number | undefined;
  /** How long it stays open before a probe may go. Default 5000. */
  resetMs?: number | undefined;
  /** The rolling window of outcomes. Default 10 000. */
  windowMs?: number | undefined;
  /** Clock, ms. Default `Date.now`. */
  now?: (() => number) | undefined;
}

/** A call the breaker let through. */
export interface Admission {
  /** Whether this call is the half-open probe. */
  readonly probe: boolean;
  /** Aborts when the breaker opens while the call still waits for a slot (then it is dropped). None for a probe. */
  readonly dropIf: AbortSignal | undefined;
  /** Reports how the call went; only the first report counts. */
  settle(health: CallHealth): void;
}

/** The breaker of the process-wide upstream. */
export interface CircuitBreaker {
  /** Lets a call for a task of these sources through, or refuses it (`undefined`). */
  admit(sources: readonly string[]): Admission | undefined;
  state(): BreakerState;
}

/** Bound on the sources remembered per window: memory stays flat under a flood of distinct tasks. */
const MAX_TRACKED_SOURCES = 10_000;

/**
 * The sources of a task: its target, or an intersection's targets; the whole task key when it names none. A bulk
 * task (a `targets` array, up to 1000) is one source, its key: one failed bulk call is one failure, not a thousand
 * distinct ones that would open the breaker alone.
 */
export function sourcesOf(task: object, key: string): string[] {
  const { target, targets } = task as { target?: unknown; targets?: unknown };
  if (Array.isArray(targets)) return [key];
  const named = [target, ...(typeof targets === 'object' && targets !== null ? (Object.values(targets) as unknown[]) : [])].filter(
    (t): t is string => typeof t === 'string',
  );
  return named.length > 0 ? [...new Set(named)].sort() : [key];
}

/** Every call waiting for a slot listens to this signal: one listener per queued call is expected. */
function openSignalController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/** The breaker: closed until enough distinct sources fail, then open for `resetMs`, then half-open. */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const errorPercentage = options.errorPercentage ?? 80;
  const volume = Math.max(1, options.volume ?? 10);
  const resetMs = options.resetMs ?? 5000;
  const windowMs = options.windowMs ?? 10_000;
  const now = options.now ?? Date.now;

  // Insertion-ordered by time (an update deletes and re-inserts), so pruning only looks at the front.
  const failed = new Map<string, { at: number; sources: readonly string[] }>();
  const failedSourceOwner = new Map<string, string>();
  const healthy = new Map<string, number>();
  let mode: 'closed' | 'open' = 'closed';
  let openedAt = 0;
  let probing = false;
  const probeFailed = new Set<string>();
  // Outcomes of calls admitted in an earlier epoch (before the last open or close) no longer describe the window.
  let epoch = 0;
  let opened = openSignalController();

  function forgetFailure(identity: string): void {
    const entry = failed.get(identity);
    if (!entry) return;
    failed.delete(identity);
    for (const s of entry.sources) failedSourceOwner.delete(s);
  }

  function prune(t: number): void {
    for (const [identity, entry] of failed) {
      if (entry.at > t - windowMs && failed.size <= MAX_TRACKED_SOURCES) break;
      forgetFailure(identity);
    }
    for (const [identity, at] of healthy) {
      if (at > t - windowMs && healthy.size <= MAX_TRACKED_SOURCES) break;
      healthy.delete(identity);
    }
  }

  function open(t: number): void {
    mode = 'open';
    openedAt = t;
    probing = false;
    epoch += 1;
    if (!opened.signal.aborted) {
      opened.abort(
        new UpstreamCircuitOpenError('UPSTREAM_UNAVAILABLE', 'The upstream is failing; calls are paused for a few seconds.', true),
      );
    }
  }

  function close(): void {
    mode = 'closed';
    probing = false;
    epoch += 1;
    failed.clear();
    failedSourceOwner.clear();
    healthy.clear();
    probeFailed.clear();
    opened = openSignalController();
  }

  function record(sources: readonly string[], health: CallHealth): void {
    const t = now();
    prune(t);
    const identity = sources.join('\n');
    if (health === 'healthy') {
      forgetFailure(identity);
      healthy.delete(identity);
      healthy.set(identity, t);
      return;
    }
    // A source that already failed in the window: the same broken target again, however the task is spelt.
    if (failed.has(identity) || sources.some((s) => failedSourceOwner.has(s))) return;
    healthy.delete(identity);
    failed.set(identity, { at: t, sources });
    for (const s of sources) failedSourceOwner.set(s, identity);
    if (failed.size >= volume && failed.size * 100 >= errorPercentage * (failed.size + healthy.size)) open(t);
  }

  function state(): BreakerState {
    if (mode === 'closed') return 'closed';
    return now() - openedAt >= resetMs ? 'half-open' : 'open';
  }

  return {
    admit(sources) {
      const current = state();
      if (current === 'closed') {
        const admittedIn = epoch;
        let settled = false;
        return {
          probe: false,
          dropIf: opened.signal,
          settle(health) {
            if (settled) return;
            settled = true;
            if (health !== 'unknown' && admittedIn === epoch && mode === 'closed') record(sources, health);
          },
        };
      }
      const barred = sources.some((s) => probeFailed.has(s)) && now() - openedAt < 2 * resetMs;
      if (current === 'open' || probing || barred) return undefined;
      probing = true;
      const admittedIn = epoch;
      let settled = false;
      return {
        probe: true,
        dropIf: undefined,
        settle(health) {
          if (settled) return;
          settled = true;
          if (admittedIn !== epoch) return;
          if (health === 'healthy') close();
          else if (health === 'unhealthy') {
            for (const s of sources) probeFailed.add(s);
            for (const s of probeFailed) {
              if (probeFailed.size <= MAX_TRACKED_SOURCES) break;
              probeFailed.delete(s);
            }
            open(now());
          } else probing = false;
        },
      };
    },
    state,
  };
}
