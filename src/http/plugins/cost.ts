import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { estimateUpstreamCalls } from '../../graphql/budget.js';
import type { Context } from '../../graphql/context.js';
import type { Metrics } from '../../ops/metrics.js';
import { costReport } from '../../upstream/cost-meter.js';

/** About what one upstream call costs, for the messages that quote a price. */
const USD_PER_CALL = 0.02;

export interface CostPluginOptions {
  /** Operations whose upper bound of upstream calls is above this are refused before any call. */
  maxUpstreamCallsPerOperation: number;
  /** Counts refusals, cache hits, coalesced calls and retries. */
  metrics?: Metrics | undefined;
}

/** True when the client asked for the estimate only: header `x-dry-run: true` or request extension `dryRun: true`. */
function isDryRun(context: { request?: Request; params?: { extensions?: Record<string, unknown> } }): boolean {
  return context.request?.headers.get('x-dry-run') === 'true' || context.params?.extensions?.dryRun === true;
}

/**
 * Before execution: computes the operation's upper bound of upstream calls; refuses it with BUDGET_EXCEEDED above
 * the limit, or answers with the estimate alone for a dry run — both before any upstream call. After execution:
 * every response carries `extensions.cost`.
 */
export function useCostControl(options: CostPluginOptions): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as unknown as Context & { request?: Request; params?: { extensions?: Record<string, unknown> } };
      const estimate = estimateUpstreamCalls(args.schema, args.document, args.operationName, args.variableValues);
      if (estimate === null) return;
      context.meter.estimatedUpstreamCalls = estimate;
      if (isDryRun(context)) {
        setResultAndStopExecution({ extensions: { dryRun: true } });
        return;
      }
      if (estimate > options.maxUpstreamCallsPerOperation) {
        options.metrics?.budgetRejected();
        setResultAndStopExecution({
          errors: [
            new GraphQLError(
              `This operation could make up to ${estimate} upstream calls (about $${(estimate * USD_PER_CALL).toFixed(2)}); the limit is ${options.maxUpstreamCallsPerOperation}. Ask for smaller pages, fewer targets or fewer asTarget hops.`,
              { extensions: { code: 'BUDGET_EXCEEDED', estimatedUpstreamCalls: estimate, maxUpstreamCalls: options.maxUpstreamCallsPerOperation } },
            ),
          ],
        });
      }
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
