import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { BudgetInputError, BudgetUnknownError, estimateUpstreamCalls, type Estimate } from '../../graphql/budget.js';
import type { Context } from '../../graphql/context.js';
import type { Metrics } from '../../ops/metrics.js';
import { costReport } from '../../upstream/cost-meter.js';

/**
 * A refusal before execution is a request error: 400 under application/graphql-response+json, as the GraphQL-over-HTTP
 * spec asks for a response without `data` (`spec: true`: the legacy application/json keeps 200). Yoga strips `http`.
 */
const REQUEST_ERROR = { status: 400, spec: true } as const;

/** About what one upstream call costs, for the messages that quote a price. */
const USD_PER_CALL = 0.02;
/** What each row of an answer adds. */
const USD_PER_ROW = 0.00003;

export interface CostPluginOptions {
  /** Operations whose upper bound of upstream calls is above this are refused before any call. */
  maxUpstreamCallsPerOperation: number;
  /** Operations whose response could hold more values (fields and list items) than this are refused. Default 250 000. */
  maxResultValues?: number;
  /** Counts refusals, cache hits, coalesced calls and retries. */
  metrics?: Metrics | undefined;
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

/**
 * Before execution: computes the operation's upper bound of upstream calls; refuses it with BUDGET_EXCEEDED above
 * the limit, or with BUDGET_UNKNOWN when no bound can be computed, or answers with the estimate alone for a dry run —
 * all before any upstream call. After execution: every response carries `extensions.cost`.
 */
export function useCostControl(options: CostPluginOptions): Plugin {
  // Estimates and decides; when the operation must not run, sets its result instead.
  const control = (args: ExecutionArgs, setResultAndStopExecution: (result: ExecutionResult) => void): void => {
    const context = args.contextValue as Context & { request?: Request; params?: { extensions?: Record<string, unknown> } };
    const dryRun = dryRunOf(context);
    if (dryRun === undefined) {
      setResultAndStopExecution({
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
      estimate = estimateUpstreamCalls(args.schema, args.document, args.operationName, args.variableValues);
    } catch (error) {
      if (error instanceof BudgetInputError) {
        const refused = error.error;
        setResultAndStopExecution({
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
      setResultAndStopExecution({
        errors: [
          new GraphQLError(`The upstream cost of this operation cannot be bounded (${reason}); it was not run.`, {
            extensions: { code: 'BUDGET_UNKNOWN', reason, http: REQUEST_ERROR },
          }),
        ],
      });
      return;
    }
    context.meter.estimatedUpstreamCalls = estimate.calls;
    context.meter.maxUpstreamCalls = options.maxUpstreamCallsPerOperation;
    if (dryRun) {
      setResultAndStopExecution({ extensions: { dryRun: true } });
      return;
    }
    const maxValues = options.maxResultValues ?? 250_000;
    if (estimate.values > maxValues) {
      // One cached page can be serialised a hundred times under aliases: what it costs the server is bounded too.
      setResultAndStopExecution({
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
      setResultAndStopExecution({
        errors: [
          new GraphQLError(
            `This operation could make up to ${calls} upstream calls (at least $${(calls * USD_PER_CALL).toFixed(2)}, plus $${USD_PER_ROW} per row returned); the limit is ${limit}. ` +
              'Ask for smaller pages, fewer targets or fewer asTarget hops.',
            { extensions: { code: 'BUDGET_EXCEEDED', estimatedUpstreamCalls: calls, maxUpstreamCalls: limit, http: REQUEST_ERROR } },
          ),
        ],
      });
    }
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      control(args, setResultAndStopExecution);
    },
    // The schema has no Subscription type today (graphql-js refuses those, at no cost); should one appear, it is
    // budgeted like a query rather than let through.
    onSubscribe({ args, setResultAndStopExecution }) {
      control(args, setResultAndStopExecution);
    },
    onExecutionResult({ result, setResult, context }) {
      if (!result || Symbol.asyncIterator in result) return;
      const meter = (context as Partial<Context>).meter;
      if (!meter) return;
      options.metrics?.operationCost(meter);
      setResult({ ...result, extensions: { ...result.extensions, cost: costReport(meter) } });
    },
  };
}
