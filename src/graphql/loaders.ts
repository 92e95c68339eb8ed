import DataLoader from 'dataloader';
import type { LiveEndpoint, ResultOf, TaskOf } from '../dataforseo/types.js';
import type { CallContext, UpstreamGateway } from '../upstream/gateway.js';
import { taskKey } from '../upstream/task-key.js';

/**
 * Per-request loaders, keyed by the canonical upstream task (endpoint + every parameter, key order irrelevant).
 * The upstream takes one task per call, so a batch cannot be packed into one request: a loader's job is to
 * deduplicate (the same task asked 50 times in an operation is fetched once) and to fan distinct tasks out
 * concurrently. What happens next — shared cache, coalescing across requests, limits, retries — is the gateway's.
 * Resolvers never call the client; they ask a loader.
 */
export interface Loaders {
  summaryByTarget: DataLoader<TaskOf<'summary'>, ResultOf<'summary'> | null, string>;
  referringDomainsByPage: DataLoader<TaskOf<'referring_domains'>, ResultOf<'referring_domains'> | null, string>;
  domainIntersectionByPage: DataLoader<TaskOf<'domain_intersection'>, ResultOf<'domain_intersection'> | null, string>;
}

function createTaskLoader<E extends LiveEndpoint>(
  gateway: UpstreamGateway,
  endpoint: E,
  context: CallContext,
): DataLoader<TaskOf<E>, ResultOf<E> | null, string> {
  return new DataLoader<TaskOf<E>, ResultOf<E> | null, string>(
    // An Error in the slot of a task that failed; the other tasks of the batch still resolve.
    (tasks) =>
      Promise.all(
        tasks.map((task) =>
          gateway.call(endpoint, task, context).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
        ),
      ),
    { cacheKeyFn: (task) => taskKey(endpoint, task) },
  );
}

/** Creates the loaders of one GraphQL request, charging its meter; its signal drops its queued calls. */
export function createLoaders(gateway: UpstreamGateway, context: CallContext): Loaders {
  return {
    summaryByTarget: createTaskLoader(gateway, 'summary', context),
    referringDomainsByPage: createTaskLoader(gateway, 'referring_domains', context),
    domainIntersectionByPage: createTaskLoader(gateway, 'domain_intersection', context),
  };
}
