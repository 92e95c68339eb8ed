import {
  getDirectiveValues,
  getVariableValues,
  getOperationAST,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type ExecutionArgs,
  type ExecutionResult,
  type DocumentNode,
  type SelectionSetNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Plugin } from 'graphql-yoga';
import { BULK_TARGETS_MAX } from '../../dataforseo/bulk.js';
import { BudgetInputError, BudgetUnknownError, estimateUpstreamCalls, type Estimate } from '../../graphql/budget.js';
import type { Context } from '../../graphql/context.js';
import { PAGE_SIZE_MAX } from '../../graphql/pagination.js';
import type { Metrics } from '../../ops/metrics.js';
import { SpendUnavailableError, type SpendHold, type SpendLedger, type SpendStatus } from '../../ops/spend-ledger.js';
import { costReport, type CostMeter } from '../../upstream/cost-meter.js';
import { endingWith, isAsyncIterable, mapParts } from './incremental.js';

/**
 * A refusal before execution is a request error: 400 under application/graphql-response+json, as the GraphQL-over-HTTP
 * spec asks for a response without `data` (`spec: true`: the legacy application/json keeps 200). Yoga strips `http`.
 */
const REQUEST_ERROR = { status: 400, spec: true } as const;

/** About what one upstream call costs, for the messages that quote a price. */
const USD_PER_CALL = 0.02;
/** What each row of an answer adds. */
const USD_PER_ROW = 0.00003;
/** The most rows one upstream call can bill: a page of 1000, or a bulk task's 1000 targets (one item each). */
const ROWS_PER_CALL_MAX = Math.max(PAGE_SIZE_MAX, BULK_TARGETS_MAX);

export interface CostPluginOptions {
  /** Operations whose upper bound of upstream calls is above this are refused before any call. */
  maxUpstreamCallsPerOperation: number;
  /** Operations whose response could hold more values (fields and list items) than this are refused. Default 250 000. */
  maxResultValues?: number;
  /** Counts refusals, cache hits, coalesced calls and retries. */
  metrics?: Metrics | undefined;
  /** What each API key spent today, against its daily cap; none: no spend accounting (the gate has no keys). */
  spendLedger?: SpendLedger | undefined;
}

/** A dollar amount for a message: cents, and the upstream's fifth decimal where it has one. */
function dollars(usd: number): string {
  return `$${usd.toFixed(5).replace(/0{1,3}$/, '')}`;
}

/** A key's figures as responses carry them (`extensions.cost.spend`, and a refusal's extensions). */
function spendReport(status: SpendStatus) {
  return {
    keyName: status.keyName,
    spentUsd: status.spentUsd,
    heldUsd: status.heldUsd,
    capUsd: status.capUsd,
    remainingUsd: status.remainingUsd,
    resetAt: status.resetAt.toISOString(),
  };
}

/**
 * Charges to the ledger what the meter receives after its operation was settled. The gateway charges a call to the
 * meter of the request that started it, and a call can outlive that request (another request joined it, then this
 * one went away): what it bills still belongs to this key. Hand-written: the meter is a plain object, without a hook.
 */
function chargeLateCosts(meter: CostMeter, charge: (usd: number) => void): void {
  let value = meter.upstreamCostUsd;
  Object.defineProperty(meter, 'upstreamCostUsd', {
    configurable: true,
    enumerable: true,
    get: () => value,
    set: (next: number) => {
      if (next > value) charge(next - value);
      value = next;
    },
  });
}

/** One part of an incremental (@defer/@stream) result. */
interface IncrementalPart {
  hasNext?: boolean;
  extensions?: Record<string, unknown>;
}

/**
 * The parts of an incremental result, `settle` awaited before the last one (`hasNext: false`) is passed on — so that
 * the last part's `extensions.cost.spend` shows the settled ledger — or when the stream ends otherwise (an error,
 * the client went away: `return()`, even before the first part).
 */
function settledAtEnd<T extends IncrementalPart>(parts: AsyncIterable<T>, settle: () => Promise<void>): AsyncIterableIterator<T> {
  return endingWith(parts, settle, (part) => (part.hasNext === false ? settle() : undefined));
}

/**
 * Whether the operation would be answered in parts: a @defer or @stream that execution applies (not skipped, not
 * `if: false`) in the selected operation or a fragment it spreads. A condition that cannot be evaluated counts as
 * applied.
 */
function isIncremental(args: ExecutionArgs): boolean {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return false;
  const directives = ['defer', 'stream'].map((name) => args.schema.getDirective(name)).filter((d) => d !== undefined && d !== null);
  if (directives.length === 0) return false;
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of args.document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition.selectionSet);
  }
  // Coerced as execution coerces them (defaults applied): raw values would leave `$i = false` unset, and a condition
  // that cannot be evaluated counts as applied. Variables that do not coerce: execution refuses the operation.
  const coerced = getVariableValues(args.schema, operation.variableDefinitions ?? [], args.variableValues ?? {});
  if (coerced.errors) return false;
  const variables = coerced.coerced;
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode): boolean => {
    for (const selection of set.selections) {
      try {
        if (getDirectiveValues(GraphQLSkipDirective, selection, variables)?.if === true) continue;
        if (getDirectiveValues(GraphQLIncludeDirective, selection, variables)?.if === false) continue;
        if (
          directives.some(
            (directive) =>
              selection.directives?.some((d) => d.name.value === directive.name) &&
              getDirectiveValues(directive, selection, variables)?.if !== false,
          )
        )
          return true;
      } catch {
        return true;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (seen.has(name) || !fragment) continue;
        seen.add(name);
        if (walk(fragment)) return true;
      } else if (selection.selectionSet && walk(selection.selectionSet)) return true;
    }
    return false;
  };
  return walk(operation.selectionSet);
}

/**
 * Whether the request accepts a response in parts (multipart/mixed or text/event-stream), as Yoga's result
 * processors decide it (use-result-processor.ts: no Accept is any; wildcards match; a charset other than utf-8 is
 * not taken).
 */
function acceptsParts(request: Request | undefined): boolean {
  const accept = request?.headers.get('accept') || '*/*';
  return accept
    .replace(/\s/g, '')
    .toLowerCase()
    .split(',')
    .some((range) => {
      const [type = '', ...params] = range.split(';');
      const charset = params.find((param) => param.includes('charset='));
      if (charset !== undefined && charset !== 'charset=utf-8') return false;
      const [pre, suf] = type.split('/');
      return ['multipart/mixed', 'text/event-stream'].some((media) => {
        const [mediaPre, mediaSuf] = media.split('/');
        return (pre === '*' || pre === mediaPre) && (suf === '*' || suf === mediaSuf);
      });
    });
}

/**
 * Whether the client asked for the estimate only: header `x-dry-run: true` or request extension `dryRun: true`;
 * undefined when it said something else (`TRUE`, `1`, a repeated header): a dry run that is not understood must not
 * turn into a paid execution, so the operation is refused.
 */
function dryRunOf(context: { request?: Request; params?: { extensions?: Record<string, unknown> } }): boolean | undefined {
  const header = context.request?.headers.get('x-dry-run');
  const extension = context.params?.extensions?.dryRun;
  if (
    (header !== null && header !== undefined && header !== 'true' && header !== 'false') ||
    (extension !== undefined && typeof extension !== 'boolean')
  ) {
    return undefined;
  }
  return header === 'true' || extension === true;
}

/** Variables longer than this (as JSON) are estimated afresh each time rather than kept as a cache key. */
const ESTIMATE_KEY_MAX = 2048;
/** Estimates kept per document: one per operation name and variables (and UTC day). */
const ESTIMATES_PER_DOCUMENT = 32;

/**
 * The estimate of an operation, kept with its parsed document (Yoga's parse cache hands every request with the same
 * text the same DocumentNode): a pure function of the schema, the document, the operation name and the variables, it
 * was a tenth of the server's time on a cached summary. Keyed by the UTC day as well, so that nothing a default date
 * could make of it outlives the day. Refusals (thrown) are not kept.
 */
function createEstimator() {
  const byDocument = new WeakMap<DocumentNode, LRUCache<string, Estimate>>();
  return (args: ExecutionArgs): Estimate => {
    const variables = JSON.stringify(args.variableValues ?? {});
    if (variables.length > ESTIMATE_KEY_MAX)
      return estimateUpstreamCalls(args.schema, args.document, args.operationName, args.variableValues);
    const key = `${new Date().toISOString().slice(0, 10)} ${args.operationName ?? ''} ${variables}`;
    let kept = byDocument.get(args.document);
    const known = kept?.get(key);
    if (known) return known;
    const estimate = estimateUpstreamCalls(args.schema, args.document, args.operationName, args.variableValues);
    if (!kept) byDocument.set(args.document, (kept = new LRUCache<string, Estimate>({ max: ESTIMATES_PER_DOCUMENT })));
    kept.set(key, estimate);
    return estimate;
  };
}

/** Each operation's estimate, by its context: what useExecutionMemory weighs it by. */
const estimates = new WeakMap<object, Estimate>();

/** The estimate useCostControl made for the operation of this context, before its execution; undefined before that. */
export function estimateOf(context: object): Estimate | undefined {
  return estimates.get(context);
}

/**
 * Before execution: computes the operation's upper bound of upstream calls; refuses it with BUDGET_EXCEEDED above
 * the limit, or with BUDGET_UNKNOWN when no bound can be computed, or answers with the estimate alone for a dry run —
 * all before any upstream call. With an API key, the operation then holds what it may cost in the key's spend ledger
 * (BUDGET_EXCEEDED when the key's daily cap leaves too little; SPEND_UNAVAILABLE when the ledger cannot be reached)
 * and is charged what the upstream billed when it ends. After execution: every response carries `extensions.cost`.
 */
export function useCostControl(options: CostPluginOptions): Plugin<Partial<Context>> {
  const ledger = options.spendLedger;
  const estimator = createEstimator();
  // The key's figures each response reports, by request: read for a dry run, at a refusal, or after settling.
  const figures = new WeakMap<object, SpendStatus>();

  type Stop = (result: ExecutionResult) => void;
  type Execute = (args: ExecutionArgs) => unknown;

  // Estimates and decides; when the operation must not run, sets its result instead; when it runs on a key's
  // allowance, wraps its execution so that it is charged when it ends, however it ends.
  const control = async (args: ExecutionArgs, stop: Stop, executeFn: Execute, setExecuteFn: (fn: Execute) => void): Promise<void> => {
    const context = args.contextValue as Context & { request?: Request; params?: { extensions?: Record<string, unknown> } };
    const dryRun = dryRunOf(context);
    if (dryRun === undefined) {
      stop({
        errors: [
          new GraphQLError(
            'The x-dry-run header must be "true" or "false", and the dryRun extension a boolean; the operation was not run.',
            {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            },
          ),
        ],
      });
      return;
    }
    let estimate: Estimate;
    try {
      estimate = estimator(args);
    } catch (error) {
      if (error instanceof BudgetInputError) {
        const refused = error.error;
        stop({
          errors: [
            new GraphQLError(refused.message, {
              ...(refused.nodes ? { nodes: refused.nodes } : {}),
              extensions: { ...refused.extensions, http: REQUEST_ERROR },
            }),
          ],
        });
        return;
      }
      // Fail closed: an operation whose cost cannot be bounded is not run. Only our own reasons reach the client.
      const reason = error instanceof BudgetUnknownError ? error.reason : 'the estimator failed';
      options.metrics?.budgetRejected();
      stop({
        errors: [
          new GraphQLError(`The upstream cost of this operation cannot be bounded (${reason}); it was not run.`, {
            extensions: { code: 'BUDGET_UNKNOWN', reason, http: REQUEST_ERROR },
          }),
        ],
      });
      return;
    }
    estimates.set(context, estimate);
    context.meter.estimatedUpstreamCalls = estimate.calls;
    context.meter.maxUpstreamCalls = options.maxUpstreamCallsPerOperation;
    const account = ledger ? context.apiKey : undefined;
    const maxValues = options.maxResultValues ?? 250_000;
    if (estimate.values > maxValues) {
      // One cached page can be serialised a hundred times under aliases: what it costs the server is bounded too.
      stop({
        errors: [
          new GraphQLError(
            `This operation's response could hold up to ${estimate.values} values (fields and list items); the limit is ${maxValues} (MAX_RESULT_VALUES). ` +
              'Ask for smaller pages, fewer aliases or shorter breakdowns.',
            {
              extensions: {
                code: 'RESULT_TOO_LARGE',
                estimatedResultValues: estimate.values,
                maxResultValues: maxValues,
                http: REQUEST_ERROR,
              },
            },
          ),
        ],
      });
      return;
    }
    const { calls } = estimate;
    const limit = options.maxUpstreamCallsPerOperation;
    if (calls > limit) {
      options.metrics?.budgetRejected();
      stop({
        errors: [
          new GraphQLError(
            `This operation could make up to ${calls} upstream calls (at least ${dollars(calls * USD_PER_CALL)}, plus $${USD_PER_ROW} per row returned); the limit is ${limit}. ` +
              'Ask for smaller pages, fewer targets or fewer asTarget hops.',
            { extensions: { code: 'BUDGET_EXCEEDED', estimatedUpstreamCalls: calls, maxUpstreamCalls: limit, http: REQUEST_ERROR } },
          ),
        ],
      });
      return;
    }
    // A dry run answers as the run would: refused above, or with the estimate (and the key's figures) here.
    if (dryRun) {
      // Only read: a dry run holds and spends nothing. Without the figures (ledger unreachable) it still answers.
      if (ledger && account) {
        const status = await ledger.status(account).catch((error: unknown) => {
          if (error instanceof SpendUnavailableError) return undefined;
          throw error;
        });
        if (status) figures.set(context, status);
      }
      stop({ extensions: { dryRun: true } });
      return;
    }
    // Yoga answers an operation in parts only under an Accept that takes them, and otherwise 406 with no body —
    // once execution has run and paid. Refused here instead, before any call, with the media types to ask for. (A dry
    // run above is one result whatever the operation: it answers under any Accept.)
    if (!acceptsParts(context.request) && isIncremental(args)) {
      stop({
        errors: [
          new GraphQLError(
            'This operation uses @defer or @stream, so it is answered in parts: send Accept: multipart/mixed or text/event-stream. It was not run.',
            { extensions: { code: 'NOT_ACCEPTABLE', accept: ['multipart/mixed', 'text/event-stream'], http: { status: 406 } } },
          ),
        ],
      });
      return;
    }
    if (!ledger || !account) return;

    // Admitted when its calls fit in what is left; it then holds the most it can cost (each call's largest answer),
    // or all that is left when that is less, so that operations of the key running beside it cannot spend it too.
    const estimatedUsd = calls * USD_PER_CALL;
    let hold: SpendHold;
    try {
      const reservation = await ledger.reserve(account, {
        minUsd: estimatedUsd,
        maxUsd: calls * (USD_PER_CALL + ROWS_PER_CALL_MAX * USD_PER_ROW),
      });
      if (!reservation.admitted) {
        const { status } = reservation;
        figures.set(context, status);
        options.metrics?.budgetRejected();
        const held = status.heldUsd > 0 ? `, ${dollars(status.heldUsd)} held by its operations in flight` : '';
        stop({
          errors: [
            new GraphQLError(
              `This operation could make up to ${calls} upstream calls (at least ${dollars(estimatedUsd)}, plus $${USD_PER_ROW} per row returned); ` +
                `this API key has ${dollars(status.remainingUsd ?? 0)} left of its daily cap of ${dollars(status.capUsd ?? 0)} ` +
                `(${dollars(status.spentUsd)} spent today${held}). The cap resets at ${status.resetAt.toISOString()}.`,
              {
                extensions: {
                  code: 'BUDGET_EXCEEDED',
                  estimatedUpstreamCalls: calls,
                  estimatedUsd,
                  ...spendReport(status),
                  http: REQUEST_ERROR,
                },
              },
            ),
          ],
        });
        return;
      }
      hold = reservation.hold;
    } catch (error) {
      if (!(error instanceof SpendUnavailableError)) throw error;
      // Fail closed: without the ledger, a capped key's spend cannot be bounded, so nothing is run on it.
      stop({
        errors: [
          new GraphQLError('The spend ledger of API keys cannot be reached; the operation was not run. Retry in a few seconds.', {
            extensions: { code: 'SPEND_UNAVAILABLE', retryable: true, http: { status: 503, headers: { 'retry-after': '5' } } },
          }),
        ],
      });
      return;
    }
    const meter = context.meter;
    const before = meter.upstreamCostUsd;
    let settled = false;
    const settle = async (): Promise<void> => {
      if (settled) return;
      settled = true;
      const status = await ledger.settle(hold, meter.upstreamCostUsd - before);
      if (status) figures.set(context, status);
      chargeLateCosts(meter, (usd) => void ledger.charge(hold, usd));
    };
    setExecuteFn(async (executionArgs) => {
      let result: unknown;
      try {
        result = await executeFn(executionArgs);
      } catch (error) {
        await settle();
        throw error;
      }
      // @defer/@stream: the operation has ended only with its last part, not with the first one.
      if (isAsyncIterable<IncrementalPart>(result)) return settledAtEnd(result, settle);
      await settle();
      return result;
    });
  };
  return {
    onContextBuilding({ context, extendContext }) {
      const account = context.apiKey;
      if (!ledger || !account) return;
      let read: Promise<SpendStatus> | undefined;
      extendContext({ spend: () => (read ??= ledger.status(account)) });
    },
    async onExecute({ args, setResultAndStopExecution, executeFn, setExecuteFn }) {
      await control(args, setResultAndStopExecution, executeFn as Execute, setExecuteFn as (fn: Execute) => void);
    },
    // The schema has no Subscription type today (graphql-js refuses those, at no cost); should one appear, it is
    // budgeted like a query rather than let through (its hold is settled when the subscription starts).
    async onSubscribe({ args, setResultAndStopExecution, subscribeFn, setSubscribeFn }) {
      await control(args, setResultAndStopExecution, subscribeFn as Execute, setSubscribeFn as (fn: Execute) => void);
    },
    onExecutionResult({ result, setResult, context }) {
      if (!result) return;
      const meter = (context as Partial<Context>).meter;
      if (!meter) return;
      const withCost = <R extends { extensions?: Record<string, unknown> }>(part: R): R => {
        options.metrics?.operationCost(meter);
        const status = figures.get(context);
        const cost = status ? { ...costReport(meter), spend: spendReport(status) } : costReport(meter);
        return { ...part, extensions: { ...part.extensions, cost } };
      };
      if (!(Symbol.asyncIterator in result)) {
        setResult(withCost(result));
        return;
      }
      // @defer/@stream: the last part (`hasNext: false`) carries the cost of the whole operation, deferred parts
      // included; the parts before it carry none, since their figures would not be final.
      setResult(mapParts(result, (part: ExecutionResult & IncrementalPart) => (part.hasNext === false ? withCost(part) : part)));
    },
  };
}
