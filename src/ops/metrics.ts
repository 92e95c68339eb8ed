import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { UpstreamCallEvent } from '../dataforseo/client.js';
import type { CostMeter } from '../upstream/cost-meter.js';
import type { LimitsMode } from '../upstream/limiter.js';
import type { SchedulerState } from '../upstream/scheduler.js';

/**
 * The server's own Prometheus metrics, beside those of Yoga's Prometheus plugin (GraphQL requests, errors and
 * durations by operation). One registry per app, so that several apps (tests) can live in one process.
 */
export interface Metrics {
  registry: Registry;
  /** For the client's `onCall`: one HTTP call to the upstream. */
  upstreamCall(event: UpstreamCallEvent): void;
  /** At the end of an operation: what its cost meter counted. */
  operationCost(meter: CostMeter): void;
  /** An operation refused by its budget. */
  budgetRejected(): void;
  /** Where the execution memory ceiling's gauges read from (useExecutionMemory calls it once). */
  executionState(state: () => { valuesInFlight: number; queued: number }): void;
  /** An operation refused by the execution memory ceiling (503 SERVER_BUSY), by reason. */
  executionRefused(reason: 'queue_full' | 'queue_timeout'): void;
  /**
   * The `operationName` label for an operation: its name while it is among the first `maxOperationNames` distinct
   * names seen (at most OPERATION_NAME_LABEL_MAX_CHARS long), "Anonymous" without one, else "other". Clients choose
   * operation names freely: unbounded, they would grow /metrics and the registry without limit.
   */
  operationLabel(name: string | undefined | null): string;
}

/** How many distinct operation names become labels; later ones count as "other". */
export const OPERATION_NAME_LABELS_MAX = 100;
/** Longer operation names count as "other". */
export const OPERATION_NAME_LABEL_MAX_CHARS = 64;

/** The modes the limits can be in, each a label value of `backlinks_limits_mode`. */
const LIMITS_MODES: readonly LimitsMode[] = ['process', 'shared', 'local-share'];

/**
 * Creates the registry and the server's metrics; `maxOperationNames` defaults to OPERATION_NAME_LABELS_MAX. With
 * `shared` (Redis configured), how often this replica fell back to its local share.
 */
export function createMetrics(
  options: {
    scheduler?: () => SchedulerState;
    shared?: { fallbacks: () => number };
    processMetrics?: boolean;
    maxOperationNames?: number;
  } = {},
): Metrics {
  const registry = new Registry();
  const operationNames = new Set<string>();
  const maxOperationNames = options.maxOperationNames ?? OPERATION_NAME_LABELS_MAX;
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const calls = new Counter({
    name: 'backlinks_upstream_calls_total',
    help: 'HTTP calls to the upstream, by endpoint and DataForSEO status code (or HTTP status, or "network").',
    labelNames: ['endpoint', 'status'] as const,
    registers,
  });
  const cost = new Counter({
    name: 'backlinks_upstream_cost_usd_total',
    help: 'USD the upstream billed, by endpoint.',
    labelNames: ['endpoint'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'backlinks_upstream_duration_seconds',
    help: 'Duration of upstream calls, by endpoint.',
    labelNames: ['endpoint'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 125],
    registers,
  });
  const cacheHits = new Counter({ name: 'backlinks_cache_hits_total', help: 'Upstream tasks answered from the shared cache.', registers });
  const coalesced = new Counter({
    name: 'backlinks_coalesced_total',
    help: 'Upstream tasks that joined an identical call in flight.',
    registers,
  });
  const retries = new Counter({ name: 'backlinks_upstream_retries_total', help: 'Retries of transient upstream failures.', registers });
  const budget = new Counter({
    name: 'backlinks_budget_rejections_total',
    help: 'Operations refused because they could exceed the upstream-call budget.',
    registers,
  });
  let execution: () => { valuesInFlight: number; queued: number } = () => ({ valuesInFlight: 0, queued: 0 });
  new Gauge({
    name: 'backlinks_execution_values_in_flight',
    help: 'Result values (by the estimate) of the operations executing now, against EXECUTION_MAX_VALUES.',
    registers,
    collect() {
      this.set(execution().valuesInFlight);
    },
  });
  new Gauge({
    name: 'backlinks_execution_queued',
    help: 'Operations waiting for room under EXECUTION_MAX_VALUES.',
    registers,
    collect() {
      this.set(execution().queued);
    },
  });
  const executionRefused = new Counter({
    name: 'backlinks_execution_refused_total',
    help: 'Operations refused with SERVER_BUSY by the execution memory ceiling, by reason (queue_full, queue_timeout).',
    labelNames: ['reason'] as const,
    registers,
  });
  if (options.scheduler) {
    const state = options.scheduler;
    new Gauge({
      name: 'backlinks_scheduler_queued',
      help: 'Upstream calls waiting for a slot.',
      registers,
      collect() {
        this.set(state().queued);
      },
    });
    new Gauge({
      name: 'backlinks_scheduler_in_flight',
      help: 'Upstream calls in flight.',
      registers,
      collect() {
        this.set(state().inFlight);
      },
    });
    new Gauge({
      name: 'backlinks_limits_mode',
      help: 'Where the account limits are kept: 1 for the current mode (process: alone; shared: in Redis with the other replicas; local-share: Redis unreachable, 1/UPSTREAM_REPLICAS of the limits).',
      labelNames: ['mode'] as const,
      registers,
      collect() {
        const mode = state().mode;
        for (const m of LIMITS_MODES) this.set({ mode: m }, m === mode ? 1 : 0);
      },
    });
    new Gauge({
      name: 'backlinks_scheduler_concurrency',
      help: 'Current concurrency limit (lowered while the upstream throttles).',
      registers,
      collect() {
        this.set(state().concurrency);
      },
    });
  }
  if (options.shared) {
    const { fallbacks } = options.shared;
    new Counter({
      name: 'backlinks_limits_fallbacks_total',
      help: 'Times this replica lost Redis and fell back to its local share of the account limits.',
      registers,
      collect() {
        this.reset();
        this.inc(fallbacks());
      },
    });
  }
  return {
    registry,
    upstreamCall(event) {
      const status = event.statusCode ?? event.httpStatus ?? 'network';
      calls.inc({ endpoint: event.endpoint, status: String(status) });
      if (event.costUsd > 0) cost.inc({ endpoint: event.endpoint }, event.costUsd);
      duration.observe({ endpoint: event.endpoint }, event.durationMs / 1000);
    },
    operationCost(meter) {
      if (meter.cacheHits) cacheHits.inc(meter.cacheHits);
      if (meter.coalesced) coalesced.inc(meter.coalesced);
      if (meter.retries) retries.inc(meter.retries);
    },
    budgetRejected: () => budget.inc(),
    executionState(state) {
      execution = state;
    },
    executionRefused: (reason) => executionRefused.inc({ reason }),
    operationLabel(name) {
      if (!name) return 'Anonymous';
      if (operationNames.has(name)) return name;
      if (name.length > OPERATION_NAME_LABEL_MAX_CHARS || operationNames.size >= maxOperationNames || name === 'other') return 'other';
      operationNames.add(name);
      return name;
    },
  };
}
