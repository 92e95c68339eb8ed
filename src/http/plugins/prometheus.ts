import { createCounter, createHistogram, usePrometheus, type FillLabelsFnParams } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../../ops/metrics.js';

const OPERATION_TYPES = new Set(['query', 'mutation', 'subscription']);

/**
 * Yoga's Prometheus plugin with every label drawn from a bounded set: the operation name through
 * `metrics.operationLabel` (the first names seen, then "other"), the operation type from the three GraphQL has, and no
 * `url` or error `path` label (a GET URL holds the query and variables; a path holds list indexes and aliases). The
 * plugin's defaults label by the raw operation name, so each metric is declared here with its own `fillLabelsFn`,
 * the plugin's documented way to choose labels. /metrics itself is served by the gate, behind the key.
 */
export function usePrometheusMetrics(metrics: Metrics): Plugin {
  const registry = metrics.registry;
  const type = (t: string | undefined) => (t && OPERATION_TYPES.has(t) ? t : 'unknown');
  const operation = (params: FillLabelsFnParams) => ({
    operationName: metrics.operationLabel(params.operationName),
    operationType: type(params.operationType),
  });
  const labelNames = ['operationName', 'operationType'] as const;
  const histogram = <Phase extends string>(name: string, help: string, phases: [Phase, ...Phase[]]) =>
    createHistogram({ registry, histogram: { name, help, labelNames }, fillLabelsFn: operation, phases });
  return usePrometheus({
    registry,
    endpoint: false,
    metrics: {
      // On by default in the plugin, with the raw operation name as a label: off (none of them is used here).
      graphql_envelop_deprecated_field: false,
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_execute_resolver: false,
      graphql_envelop_request: createCounter({
        registry,
        counter: { name: 'graphql_envelop_request', help: 'Counts the amount of GraphQL requests executed through Envelop', labelNames },
        fillLabelsFn: operation,
        phases: ['execute', 'subscribe'],
      }),
      graphql_envelop_request_duration: histogram(
        'graphql_envelop_request_duration',
        'Time spent on running the GraphQL operation from parse to execute',
        ['execute', 'subscribe'],
      ),
      graphql_envelop_error_result: createCounter({
        registry,
        counter: {
          name: 'graphql_envelop_error_result',
          help: 'Counts the amount of errors reported from all phases',
          labelNames: [...labelNames, 'phase'],
        },
        fillLabelsFn: (params) => ({ ...operation(params), phase: params.errorPhase ?? 'unknown' }),
        phases: ['parse', 'validate', 'context', 'execute', 'subscribe'],
      }),
      graphql_envelop_phase_parse: histogram('graphql_envelop_phase_parse', 'Time spent on running GraphQL "parse" function', ['parse']),
      graphql_envelop_phase_validate: histogram('graphql_envelop_phase_validate', 'Time spent on running GraphQL "validate" function', [
        'validate',
      ]),
      graphql_envelop_phase_execute: histogram('graphql_envelop_phase_execute', 'Time spent on running the GraphQL "execute" function', [
        'execute',
      ]),
      graphql_yoga_http_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_yoga_http_duration',
          help: 'Time spent on HTTP connection',
          labelNames: [...labelNames, 'method', 'statusCode'],
        },
        fillLabelsFn: (params: FillLabelsFnParams & { request?: Request; response?: Response }) => ({
          ...operation(params),
          // Methods other than these are refused by the gate before Yoga; statusCode is a three-digit number.
          method: params.request?.method === 'GET' ? 'GET' : 'POST',
          statusCode: params.response?.status ?? 0,
        }),
        phases: ['request'],
      }),
    },
  });
}
