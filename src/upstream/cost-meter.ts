/** What one GraphQL operation cost upstream; every response carries it as `extensions.cost`. */
export interface CostMeter {
  /** HTTP calls that reached the upstream for this operation, retries included. */
  upstreamCalls: number;
  /** Every HTTP attempt, those that never reached the upstream (connection refused, no such host) included. */
  attempts: number;
  /** USD the upstream billed for them (the sum of their envelopes' `cost`). */
  upstreamCostUsd: number;
  /** Tasks answered from the shared cache. */
  cacheHits: number;
  /** Tasks that joined an identical call already in flight for another request. */
  coalesced: number;
  /** Attempts after a first one failed transiently. */
  retries: number;
  /** The upper bound computed before execution, or null when it was not computed. */
  estimatedUpstreamCalls: number | null;
  /** The operation's allowance of calls: no retry is made past it (not reported). */
  maxUpstreamCalls?: number;
}

export function createCostMeter(): CostMeter {
  return { upstreamCalls: 0, attempts: 0, upstreamCostUsd: 0, cacheHits: 0, coalesced: 0, retries: 0, estimatedUpstreamCalls: null };
}

/** The meter as it is reported: USD rounded to the upstream's precision. */
export function costReport(meter: CostMeter): Omit<CostMeter, 'maxUpstreamCalls'> {
  return {
    upstreamCalls: meter.upstreamCalls,
    attempts: meter.attempts,
    upstreamCostUsd: Math.round(meter.upstreamCostUsd * 1e6) / 1e6,
    cacheHits: meter.cacheHits,
    coalesced: meter.coalesced,
    retries: meter.retries,
    estimatedUpstreamCalls: meter.estimatedUpstreamCalls,
  };
}
