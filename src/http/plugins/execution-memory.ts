import { Semaphore, withTimeout, E_TIMEOUT, type SemaphoreInterface } from 'async-mutex';
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Estimate } from '../../graphql/budget.js';
import type { Metrics } from '../../ops/metrics.js';
import { estimateOf } from './cost.js';
import { endingWith, isAsyncIterable } from './incremental.js';

/**
 * A memory ceiling on execution: the result values materialised at once in the process, by the estimate that the
 * budget already computed. Each operation weighs its estimated values plus VALUES_PER_CALL for each upstream call it
 * may make (an upstream answer is held while it is read); it runs when its weight fits beside the operations running,
 * in the order the operations arrived (FIFO: a heavy one is not starved by light ones passing it), and holds its weight
 * until its result has been serialised (the last part of an @defer/@stream answer). An operation heavier than the whole
 * ceiling runs alone (MAX_RESULT_VALUES refuses the absurd ones before this). When `maxQueue` operations already wait,
 * or an operation waited `queueTimeoutMs`, it is refused with 503 SERVER_BUSY and Retry-After, before any upstream call
 * (a key's spend hold is settled with nothing spent). So 200 concurrent 1000-item pages wait their turn instead of
 * taking the process past its memory.
 *
 * async-mutex's weighted Semaphore does the waiting (FIFO, weights); its release walks every free unit, so the ceiling
 * is counted in UNITS parts rather than in values (a ceiling of a million units cost ~6 ms a request). The queue bound
 * and the timeout are ours: async-mutex has neither a waiting count nor a per-waiter refusal that keeps FIFO order.
 */

/**
 * What an upstream answer adds while it is parsed and read, in result values, beyond what the operation selects of it.
 * Small, because identical operations must run side by side: 200 concurrent copies of one summary share one upstream
 * call only if they execute while it is in flight (at 8000, 51 of them waited past it and made a second call).
 */
export const VALUES_PER_CALL = 1000;
/** The semaphore's units: the ceiling in 1/UNITS parts (an operation takes at least one). */
const UNITS = 1024;

export interface ExecutionMemoryOptions {
  /** `EXECUTION_MAX_VALUES`: the most result values (by the estimate) executing at once. */
  maxValues: number;
  /** `EXECUTION_MAX_QUEUE`: operations that may wait for room; more are refused (queue_full). */
  maxQueue: number;
  /** `EXECUTION_QUEUE_TIMEOUT_MS`: how long an operation may wait; then it is refused (queue_timeout). */
  queueTimeoutMs: number;
  metrics?: Metrics | undefined;
}

/** The ceiling's state, for /metrics and tests. */
export interface ExecutionMemoryState {
  /** The weight (result values) of the operations executing now. */
  valuesInFlight: number;
  /** Operations waiting for room. */
  queued: number;
}

type Reason = 'queue_full' | 'queue_timeout' | 'client_gone';

function busy(reason: Reason, options: ExecutionMemoryOptions): ExecutionResult {
  const message =
    reason === 'queue_full'
      ? `The server is executing as much as its memory allows and ${options.maxQueue} operations already wait (EXECUTION_MAX_QUEUE); this one was not run. Retry in a few seconds.`
      : reason === 'client_gone'
        ? 'The request was cancelled while the operation waited for room; it was not run.'
        : `The server is executing as much as its memory allows (EXECUTION_MAX_VALUES) and this operation waited ${options.queueTimeoutMs} ms (EXECUTION_QUEUE_TIMEOUT_MS); it was not run. Retry in a few seconds.`;
  return {
    errors: [
      new GraphQLError(message, {
        extensions: { code: 'SERVER_BUSY', reason, retryable: true, http: { status: 503, headers: { 'retry-after': '5' } } },
      }),
    ],
  };
}

/**
 * The plugin, and its state. Put it after useExecutor and before useCostControl: its execute wraps the executor's, and
 * useCostControl's wraps it, so that the estimate is known when it runs and a refusal settles a key's hold.
 */
export function useExecutionMemory(options: ExecutionMemoryOptions): Plugin & { state(): ExecutionMemoryState } {
  const semaphore = new Semaphore(UNITS);
  const waitable: SemaphoreInterface = withTimeout(semaphore, options.queueTimeoutMs);
  let queued = 0;
  let valuesInFlight = 0;
  const state = (): ExecutionMemoryState => ({ valuesInFlight, queued });
  options.metrics?.executionState(state);

  // Fail closed: without an estimate (which useCostControl sets before any execution it lets through), the operation
  // weighs the whole ceiling and runs alone.
  const weightOf = (estimate: Estimate | undefined): number =>
    estimate ? Math.min(options.maxValues, estimate.values + estimate.calls * VALUES_PER_CALL) : options.maxValues;

  return {
    state,
    onExecute({ executeFn, setExecuteFn }) {
      const execute = executeFn as (args: ExecutionArgs) => unknown;
      setExecuteFn(async (args: ExecutionArgs) => {
        const weight = weightOf(estimateOf(args.contextValue as object));
        const units = Math.max(1, Math.ceil((weight / options.maxValues) * UNITS));
        const signal = (args.contextValue as { request?: Request }).request?.signal;
        let release: () => void;
        if (!semaphore.isLocked() && semaphore.getValue() >= units && queued === 0) {
          // The common case, without a timer: there is room and nobody waits ahead.
          [, release] = await semaphore.acquire(units);
        } else {
          if (queued >= options.maxQueue) {
            options.metrics?.executionRefused('queue_full');
            return busy('queue_full', options);
          }
          queued += 1;
          try {
            [, release] = await waitable.acquire(units);
          } catch (error) {
            if (error !== E_TIMEOUT) throw error;
            options.metrics?.executionRefused('queue_timeout');
            return busy('queue_timeout', options);
          } finally {
            queued -= 1;
          }
          // A client that went away while its operation waited: nothing is run for it.
          if (signal?.aborted) {
            release();
            return busy('client_gone', options);
          }
        }
        valuesInFlight += weight;
        let released = false;
        const done = () => {
          if (released) return;
          released = true;
          valuesInFlight -= weight;
          release();
        };
        // Released once the result is serialised: Yoga stringifies it in the promise chain that follows execute, which
        // runs before the check phase of the event loop, so setImmediate comes after it.
        const later = () => void setImmediate(done);
        let result: unknown;
        try {
          result = await execute(args);
        } catch (error) {
          done();
          throw error;
        }
        if (isAsyncIterable(result)) {
          // Also when the client goes away (a socket closed aborts the request's signal): a stream closed before its
          // first part was pulled may never see return(), and its room must not stay taken.
          signal?.addEventListener('abort', later, { once: true });
          return endingWith(result, () => {
            signal?.removeEventListener('abort', later);
            later();
          });
        }
        later();
        return result;
      });
    },
  };
}
