import pRetry, { AbortError } from 'p-retry';
import type { BacklinksClient, UpstreamResponse } from '../dataforseo/client.js';
import { UpstreamError, UpstreamNetworkError } from '../dataforseo/errors.js';
import { chunkTargets, itemsByTarget, type BulkEndpoint, type BulkItemOf, type BulkParams } from '../dataforseo/bulk.js';
import type { LiveEndpoint, ResultOf, TaskOf } from '../dataforseo/types.js';
import {
  createCircuitBreaker,
  sourcesOf,
  UpstreamCircuitOpenError,
  type BreakerState,
  type CallHealth,
  type CircuitBreakerOptions,
} from './breaker.js';
import { taskKey } from './task-key.js';
import type { CacheStore, CachedAnswer } from './cache.js';
import type { FlightOutcome, SharedFlights } from './shared/flights.js';
import type { CostMeter } from './cost-meter.js';
import { UpstreamBusyError, type Scheduler } from './scheduler.js';

export { UpstreamCircuitOpenError } from './breaker.js';

/** Attempts of a call whose upstream cannot be reached (connection refused, no such host): the first and one retry. */
const UNREACHED_ATTEMPTS = 2;

/**
 * Every upstream task of every request goes through here, in this order:
 * 1. the shared cache (same key as the loaders: endpoint + canonical task) — a hit costs nothing;
 * 2. coalescing — an identical task already in flight for any request is joined, not repeated: in this process
 *    (the in-flight maps), then, with Redis, on any replica (./shared/flights.ts: a lock per task, or per target of
 *    a bulk call);
 * 3. retries of transient failures, with exponential backoff, jitter and an overall deadline;
 * 4. a circuit breaker (./breaker.ts) — when the upstream is down, calls fail at once instead of queueing behind
 *    timeouts; it decides before the call takes a slot, so a refusal costs no rate-limit or concurrency slot;
 * 5. the scheduler (bounded queue) and the account's limits (concurrency, rolling per-minute cap, smooth pacing:
 *    ./limiter.ts; with Redis, shared by every replica: ./shared/limiter.ts).
 * Each HTTP call is charged to the cost meter of the request that started it.
 *
 * Why retrying these POSTs is safe: the live endpoints only read; a repeated task returns the same data and changes
 * nothing upstream. What it costs: a failed task is normally not billed, but a retry of one that was (a timeout
 * after the upstream did the work) is billed again, and every attempt counts against the rate limits — hence the
 * bounded attempts and deadline, and no retry at all for permanent failures.
 */

/** Who is asking: the meter to charge, and the signal of the GraphQL request. */
export interface CallContext {
  meter: CostMeter;
  signal?: AbortSignal | undefined;
}

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** No new attempt starts after this long since the first. */
  deadlineMs: number;
  /** First backoff; doubles each attempt, randomised ×1–2, capped at `maxDelayMs`. */
  minDelayMs: number;
  maxDelayMs: number;
  /** First pause of the scheduler after a 40202 (per-minute limit); doubles while they repeat, up to 60 s. Default 5000. */
  rateLimitPauseMs?: number;
}

export interface UpstreamGatewayOptions {
  client: BacklinksClient;
  scheduler: Scheduler;
  retry: RetryPolicy;
  /** The shared cache; none disables caching. */
  cache?: CacheStore | undefined;
  /** How long answers stay cached; 0 disables caching. */
  cacheTtlMs: number;
  /**
   * Single flight across replicas (Redis): the flights, and where a flight's answer is left for its waiters (the
   * shared cache; with the cache off, for `answerTtlMs`). None: coalescing stays within this process.
   */
  shared?: { flights: SharedFlights; store: CacheStore; answerTtlMs: number } | undefined;
  /** Circuit breaker: opens when at least `errorPercentage` % of the distinct targets seen lately, and `volume` of them, failed unhealthy. */
  breaker?: CircuitBreakerOptions | undefined;
}

export interface UpstreamGateway {
  call<E extends LiveEndpoint>(endpoint: E, task: TaskOf<E>, context: CallContext): Promise<ResultOf<E> | null>;
  /**
   * One bulk endpoint's item for each target, in the order given: null where the answer has none, an Error where
   * the call that carried the target failed. Cache and coalescing work per target (a target is its own key: the
   * key of a one-target task), so only targets neither cached nor in flight are sent, packed into as few calls as
   * the endpoint allows.
   */
  callBulk<E extends BulkEndpoint>(
    endpoint: E,
    params: BulkParams,
    targets: readonly string[],
    context: CallContext,
  ): Promise<(BulkItemOf<E> | null | Error)[]>;
  /** Open, half-open or closed: for metrics and readiness. */
  breakerState(): BreakerState;
}

/**
 * What a failed call says about the upstream. Unhealthy: unreachable, timed out, HTTP 5xx, DataForSEO 5xxxx and
 * 40103 (all classified UPSTREAM_UNAVAILABLE or UPSTREAM_TIMEOUT). Any other answer came from a working upstream:
 * a bad task, the account, or throttling (which the scheduler's slow-down handles). Nothing: the call never got an
 * answer (dropped, refused, aborted by its client) or the answer was unreadable.
 */
function healthOf(error: unknown): CallHealth {
  if (!(error instanceof UpstreamError) || error instanceof UpstreamBusyError || error instanceof UpstreamCircuitOpenError)
    return 'unknown';
  if (error.code === 'UPSTREAM_UNAVAILABLE' || error.code === 'UPSTREAM_TIMEOUT') return 'unhealthy';
  return error.code === 'UPSTREAM_INVALID_RESPONSE' ? 'unknown' : 'healthy';
}

/** Pauses after the upstream throttled us, by how it did it. */
function slowDownFor(error: UpstreamError, consecutive: number, basePauseMs: number): { kind: 'concurrency' | 'rate'; ms: number } {
  if (error.retryAfterSeconds !== undefined) return { kind: 'rate', ms: error.retryAfterSeconds * 1000 };
  if (error.statusCode === 40209) return { kind: 'concurrency', ms: Math.min(1000, basePauseMs) };
  // 40202: per-minute limit; wait longer each time, up to the whole window.
  return { kind: 'rate', ms: Math.min(60_000, basePauseMs * 2 ** Math.min(consecutive, 4)) };
}

export function createUpstreamGateway(options: UpstreamGatewayOptions): UpstreamGateway {
  const { client, scheduler, retry, cache, shared } = options;
  const cacheTtlMs = cache ? options.cacheTtlMs : 0;
  const breaker = createCircuitBreaker(options.breaker);
  let consecutiveRateLimits = 0;

  interface Flight {
    promise: Promise<unknown>;
    waiters: number;
    controller: AbortController;
  }
  const inFlight = new Map<string, Flight>();
  /** Bulk calls in flight, by the key of each target they carry; each resolves to the items by target. */
  const bulkInFlight = new Map<string, Flight>();

  async function attempt<E extends LiveEndpoint>(
    endpoint: E,
    task: TaskOf<E>,
    key: string,
    meter: CostMeter,
    signal: AbortSignal,
  ): Promise<UpstreamResponse<ResultOf<E>>> {
    const sources = sourcesOf(task, key);
    let sent = 0;
    let lastError: unknown;
    return pRetry(
      async () => {
        const send = async (slotSignal: AbortSignal) => {
          // A retry is another call: none past the operation's allowance, so that retries cannot walk around its budget.
          // Checked here, where the call is counted, so that concurrent retries of one operation cannot all pass.
          // Attempts, not only calls that reached the upstream, count against it: the cap never depends on the network.
          if (sent > 0 && meter.attempts >= (meter.maxUpstreamCalls ?? Infinity)) {
            throw new AbortError(lastError instanceof Error ? lastError : new Error('The upstream call failed.'));
          }
          // Counted when sent: an attempt refused by the breaker or dropped from the queue is no call and no retry.
          sent += 1;
          if (sent > 1) meter.retries += 1;
          meter.attempts += 1;
          try {
            const response = await client.call(endpoint, task, { signal: slotSignal });
            meter.upstreamCalls += 1;
            meter.upstreamCostUsd += response.costUsd;
            return response;
          } catch (error) {
            // A call that never reached the upstream (refused, no such host) is an attempt, not a call.
            if (!(error instanceof UpstreamNetworkError && error.unreached)) meter.upstreamCalls += 1;
            if (error instanceof UpstreamError) meter.upstreamCostUsd += error.costUsd;
            lastError = error;
            throw error;
          }
        };
        // Decided before a slot is taken: a refusal uses none of the rate window or the concurrency.
        const admission = breaker.admit(sources);
        if (!admission) {
          throw new UpstreamCircuitOpenError('UPSTREAM_UNAVAILABLE', 'The upstream is failing; calls are paused for a few seconds.', true, {
            endpoint,
          });
        }
        // Settled while the call still holds its slot: a failure that opens the breaker drops the calls queued behind
        // it before the scheduler can start the next one.
        const sendAndSettle = async (slotSignal: AbortSignal) => {
          try {
            const response = await send(slotSignal);
            admission.settle('healthy');
            return response;
          } catch (error) {
            admission.settle(healthOf(error));
            throw error;
          }
        };
        try {
          const response = await scheduler.run(sendAndSettle, signal, admission.dropIf);
          consecutiveRateLimits = 0;
          scheduler.recovered();
          return response;
        } finally {
          // Never sent (dropped, busy, aborted in the queue): says nothing; a no-op when settled above.
          admission.settle('unknown');
        }
      },
      {
        retries: retry.retries,
        factor: 2,
        minTimeout: retry.minDelayMs,
        maxTimeout: retry.maxDelayMs,
        randomize: true,
        maxRetryTime: retry.deadlineMs,
        signal,
        onFailedAttempt: ({ error }) => {
          if (error instanceof UpstreamError && error.code === 'UPSTREAM_RATE_LIMITED') {
            consecutiveRateLimits += 1;
            const { kind, ms } = slowDownFor(error, consecutiveRateLimits - 1, retry.rateLimitPauseMs ?? 5000);
            scheduler.slowDown(kind, ms);
          }
        },
        // Nothing listening is not a hiccup of a working upstream: one more try, then the error, well within a second.
        shouldRetry: ({ error, attemptNumber }) =>
          error instanceof UpstreamError &&
          error.retryable &&
          !(error instanceof UpstreamCircuitOpenError) &&
          error.code !== 'UPSTREAM_BUSY' &&
          !(error instanceof UpstreamNetworkError && error.unreached && attemptNumber >= UNREACHED_ATTEMPTS),
      },
    );
  }

  /** Starts `run` as a flight under `keys` in `flights` (removed when it settles). */
  function startFlight(flights: Map<string, Flight>, keys: readonly string[], run: (signal: AbortSignal) => Promise<unknown>): Flight {
    const controller = new AbortController();
    const flight: Flight = {
      waiters: 0,
      controller,
      promise: run(controller.signal).finally(() => {
        for (const key of keys) flights.delete(key);
      }),
    };
    // The flight may end with nobody waiting (all aborted): its rejection is then nobody's to handle.
    flight.promise.catch(() => undefined);
    for (const key of keys) flights.set(key, flight);
    return flight;
  }

  /**
   * Waits for a flight; when every waiter has gone away, its call is dropped from the queue and not retried (a call
   * already sent runs to its answer: see the scheduler).
   */
  function wait(flight: Flight, signal: AbortSignal | undefined): Promise<unknown> {
    flight.waiters += 1;
    if (!signal) return flight.promise;
    if (signal.aborted) {
      flight.waiters -= 1;
      if (flight.waiters === 0) flight.controller.abort(signal.reason);
      // The caller's own abort reason, as given (an AbortSignal's reason is whatever its owner aborted with).
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(signal.reason);
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        flight.waiters -= 1;
        if (flight.waiters === 0) flight.controller.abort(signal.reason);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** Where answers are kept for later requests (the cache) and, across replicas, for the waiters of a flight. */
  const answerTtlMs = cacheTtlMs > 0 ? cacheTtlMs : (shared?.answerTtlMs ?? 0);
  const answers = cacheTtlMs > 0 ? cache : shared?.store;
  const remember = async (key: string, answer: CachedAnswer) => {
    if (answers && answerTtlMs > 0) await answers.set(key, answer, answerTtlMs);
  };
  const recall = (key: string) => (answers && answerTtlMs > 0 ? answers.get(key) : Promise.resolve(undefined));
  /** An answer found once the lock was ours: a cache hit, or with the cache off the answer of a flight just ended. */
  const countFound = (meter: CostMeter) => (cacheTtlMs > 0 ? (meter.cacheHits += 1) : (meter.coalesced += 1));

  /** One call of a single task, its answer remembered. */
  async function lead<E extends LiveEndpoint>(endpoint: E, task: TaskOf<E>, key: string, meter: CostMeter, signal: AbortSignal) {
    const response = await attempt(endpoint, task, key, meter, signal);
    const items = (response.result as { items?: unknown[] | null } | null)?.items;
    await remember(key, { result: response.result, rows: Array.isArray(items) ? items.length : 1 });
    return response.result;
  }

  /**
   * A single task across replicas: lead it (holding its lock), or wait for the replica that does and read its
   * answer; see ./shared/flights.ts. In one process (no Redis), just the call.
   */
  async function obtain<E extends LiveEndpoint>(endpoint: E, task: TaskOf<E>, key: string, meter: CostMeter, signal: AbortSignal) {
    if (!shared) return lead(endpoint, task, key, meter, signal);
    for (;;) {
      const watch = shared.flights.watch(key);
      const { led, shared: locked } = await shared.flights.tryLead([key]);
      if (!locked || led[0]) {
        watch.cancel();
        if (!locked) return lead(endpoint, task, key, meter, signal);
        try {
          // Answered between our cache read and our lock: no call.
          const found = await recall(key);
          const result = found ? (countFound(meter), found.result) : await lead(endpoint, task, key, meter, signal);
          shared.flights.finish([key], { ok: true });
          return result;
        } catch (error) {
          shared.flights.finish([key], { ok: false, error });
          throw error;
        }
      }
      const outcome = await watch.outcome(signal);
      if (outcome.kind === 'failed') {
        meter.coalesced += 1;
        throw outcome.error;
      }
      if (outcome.kind === 'timeout') return lead(endpoint, task, key, meter, signal);
      const found = await recall(key);
      if (found) {
        meter.coalesced += 1;
        return found.result;
      }
      // Done, but the answer cannot be read (too large to share, or gone): call. Free: try to lead it.
      if (outcome.kind === 'done') return lead(endpoint, task, key, meter, signal);
    }
  }

  /** The cache key of one target of a bulk endpoint: the key of the task that would ask for it alone. */
  const bulkKey = (endpoint: BulkEndpoint, params: BulkParams, target: string) => taskKey(endpoint, { ...params, targets: [target] });

  /**
   * Bulk calls for `targets`, packed into as few calls as the endpoint allows; each target's item (null where the
   * answer has none) or the Error of its call goes into `into`, and each call's targets are remembered one by one.
   * `settled` hears how each call ended (single flight across replicas).
   */
  async function sendBulk<E extends BulkEndpoint>(
    endpoint: E,
    params: BulkParams,
    targets: readonly string[],
    keyOf: (target: string) => string,
    meter: CostMeter,
    signal: AbortSignal,
    into: Map<string, unknown>,
    settled?: (targets: readonly string[], outcome: FlightOutcome) => void,
  ): Promise<void> {
    await Promise.all(
      chunkTargets(endpoint, targets).map(async (chunk) => {
        const task = { ...params, targets: chunk } as TaskOf<E>;
        try {
          const response = await attempt(endpoint, task, taskKey(endpoint, task), meter, signal);
          const items = itemsByTarget(chunk, response.result);
          await Promise.all(chunk.map((target) => remember(keyOf(target), { result: items.get(target) ?? null, rows: 1 })));
          for (const target of chunk) into.set(target, items.get(target) ?? null);
          settled?.(chunk, { ok: true });
        } catch (error) {
          const failure = error instanceof Error ? error : new Error(String(error));
          for (const target of chunk) into.set(target, failure);
          settled?.(chunk, { ok: false, error });
        }
      }),
    );
  }

  /**
   * Bulk targets across replicas, each its own flight: the targets whose locks this replica takes are sent here (in
   * as few calls as possible); for the others it waits for the replica that carries them, and takes over those
   * whose flight came free. Resolves to each target's item, null, or Error.
   */
  async function obtainBulk<E extends BulkEndpoint>(
    endpoint: E,
    params: BulkParams,
    targets: readonly string[],
    keyOf: (target: string) => string,
    meter: CostMeter,
    signal: AbortSignal,
  ): Promise<Map<string, unknown>> {
    const found = new Map<string, unknown>();
    if (!shared) {
      await sendBulk(endpoint, params, targets, keyOf, meter, signal, found);
      return found;
    }
    const { flights } = shared;
    let pending = targets;
    while (pending.length > 0) {
      const watches = new Map(pending.map((target) => [target, flights.watch(keyOf(target))]));
      const { led, shared: locked } = await flights.tryLead(pending.map(keyOf));
      const mine = pending.filter((_, i) => !locked || led[i]);
      const mineSet = new Set(mine);
      for (const target of mine) watches.get(target)?.cancel();
      if (!locked) {
        await sendBulk(endpoint, params, mine, keyOf, meter, signal, found);
        break;
      }
      const free: string[] = [];
      const unshared: string[] = [];
      const leadMine = async () => {
        const hits = await Promise.all(mine.map((target) => recall(keyOf(target))));
        const toSend: string[] = [];
        const answered: string[] = [];
        mine.forEach((target, i) => {
          const hit = hits[i];
          if (!hit) return toSend.push(target);
          countFound(meter);
          found.set(target, hit.result);
          answered.push(target);
        });
        if (answered.length > 0) flights.finish(answered.map(keyOf), { ok: true });
        await sendBulk(endpoint, params, toSend, keyOf, meter, signal, found, (chunk, outcome) =>
          flights.finish(chunk.map(keyOf), outcome),
        );
      };
      const waitTheirs = pending.map(async (target) => {
        const watch = watches.get(target);
        if (!watch || mineSet.has(target)) return;
        const outcome = await watch.outcome(signal);
        if (outcome.kind === 'failed') {
          meter.coalesced += 1;
          found.set(target, outcome.error);
          return;
        }
        if (outcome.kind === 'timeout') return void unshared.push(target);
        const hit = await recall(keyOf(target));
        if (hit) {
          meter.coalesced += 1;
          found.set(target, hit.result);
        } else (outcome.kind === 'done' ? unshared : free).push(target);
      });
      await Promise.all([leadMine(), ...waitTheirs]);
      if (unshared.length > 0) await sendBulk(endpoint, params, unshared, keyOf, meter, signal, found);
      pending = free;
    }
    return found;
  }

  return {
    async call(endpoint, task, context) {
      const key = taskKey(endpoint, task);
      if (cacheTtlMs > 0 && cache) {
        const hit = await cache.get(key);
        if (hit) {
          context.meter.cacheHits += 1;
          return hit.result as never;
        }
      }
      let flight = inFlight.get(key);
      if (flight) context.meter.coalesced += 1;
      else flight = startFlight(inFlight, [key], (signal) => obtain(endpoint, task, key, context.meter, signal));
      return wait(flight, context.signal) as never;
    },

    async callBulk<E extends BulkEndpoint>(endpoint: E, params: BulkParams, targets: readonly string[], context: CallContext) {
      type Item = BulkItemOf<E>;
      const distinct = [...new Set(targets)];
      const answers = new Map<string, Item | null | Error>();
      const keys = new Map(distinct.map((target) => [target, bulkKey(endpoint, params, target)]));
      const keyOf = (target: string) => keys.get(target) ?? bulkKey(endpoint, params, target);
      // 1. The cache, per target.
      let missing = distinct;
      if (cacheTtlMs > 0 && cache) {
        const hits = await Promise.all(distinct.map((target) => cache.get(keyOf(target))));
        missing = [];
        distinct.forEach((target, i) => {
          const hit = hits[i];
          if (hit) {
            context.meter.cacheHits += 1;
            answers.set(target, hit.result as Item | null);
          } else missing.push(target);
        });
      }
      // 2. Targets another request's bulk flight already carries: joined, once per flight.
      const flights = new Map<Flight, string[]>();
      const toSend: string[] = [];
      for (const target of missing) {
        const flight = bulkInFlight.get(keyOf(target));
        if (!flight) toSend.push(target);
        else {
          context.meter.coalesced += 1;
          const list = flights.get(flight);
          if (list) list.push(target);
          else flights.set(flight, [target]);
        }
      }
      // 3. The rest: one flight carrying them all, under each of their keys.
      if (toSend.length > 0) {
        const flight = startFlight(bulkInFlight, toSend.map(keyOf), (signal) =>
          obtainBulk(endpoint, params, toSend, keyOf, context.meter, signal),
        );
        flights.set(flight, toSend);
      }
      await Promise.all(
        [...flights].map(async ([flight, carried]) => {
          try {
            const items = (await wait(flight, context.signal)) as Map<string, Item | null | Error>;
            for (const target of carried) answers.set(target, items.get(target) ?? null);
          } catch (error) {
            const failure = error instanceof Error ? error : new Error(String(error));
            for (const target of carried) answers.set(target, failure);
          }
        }),
      );
      return targets.map((target) => answers.get(target) ?? null);
    },

    breakerState: () => breaker.state(),
  };
}
