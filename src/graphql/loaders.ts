import DataLoader from 'dataloader';
import type {
  DomainIntersectionResult,
  DomainIntersectionTask,
  ReferringDomainsResult,
  ReferringDomainsTask,
  SummaryResult,
  SummaryTask,
} from '../dataforseo/types.js';
import type { CallContext, GatewayEndpoint, UpstreamGateway } from '../upstream/gateway.js';
import { taskKey } from '../upstream/task-key.js';

/**
 * Per-request loaders, keyed by the canonical upstream task (endpoint + every parameter, key order irrelevant).
 * The upstream takes one task per call, so a batch cannot be packed into one request: a loader's job is to
 * deduplicate (the same task asked 50 times in an operation is fetched once) and to fan distinct tasks out
 * concurrently. What happens next — shared cache, coalescing across requests, limits, retries — is the gateway's.
 * Resolvers never call the client; they ask a loader.
 */
export interface Loaders {
  summaryByTarget: DataLoader<SummaryTask, SummaryResult | null, string>;
  referringDomainsByPage: DataLoader<ReferringDomainsTask, ReferringDomainsResult | null, string>;
  domainIntersectionByPage: DataLoader<DomainIntersectionTask, DomainIntersectionResult | null, string>;
}

function createTaskLoader<E extends GatewayEndpoint, Task extends object, Result>(gateway: UpstreamGateway, endpoint: E, context: CallContext): DataLoader<Task, Result | null, string> {
  return new DataLoader<Task, Result | null, string>(
    // An Error in the slot of a task that failed; the other tasks of the batch still resolve.
    (tasks) =>
      Promise.all(
        tasks.map((task) =>
          (gateway.call(endpoint, task as never, context) as Promise<Result | null>).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
        ),
      ),
    { cacheKeyFn: taskKey },
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
