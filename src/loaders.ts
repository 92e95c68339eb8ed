import DataLoader from 'dataloader';
import stringify from 'safe-stable-stringify';
import type { BacklinksClient, CallOptions, UpstreamResponse } from './dataforseo/client.js';
import type {
  DomainIntersectionResult,
  DomainIntersectionTask,
  ReferringDomainsResult,
  ReferringDomainsTask,
  SummaryResult,
  SummaryTask,
} from './dataforseo/types.js';

/**
 * Per-request loaders, keyed by the canonical upstream task (endpoint + every parameter, key order irrelevant).
 * The upstream takes one task per call, so a batch cannot be packed into one request: a loader's job is to
 * deduplicate (the same task asked 50 times in an operation is fetched once) and to fan distinct tasks out
 * concurrently. Resolvers never call the client; they ask a loader.
 */
export interface Loaders {
  summaryByTarget: DataLoader<SummaryTask, SummaryResult | null, string>;
  referringDomainsByPage: DataLoader<ReferringDomainsTask, ReferringDomainsResult | null, string>;
  domainIntersectionByPage: DataLoader<DomainIntersectionTask, DomainIntersectionResult | null, string>;
}

/** The canonical key of a task: stable JSON, so `{a, b}` and `{b, a}` are one key. */
export function taskKey(task: object): string {
  return stringify(task) ?? '';
}

function createTaskLoader<Task extends object, Result>(
  call: (task: Task, options: CallOptions) => Promise<UpstreamResponse<Result>>,
  options: CallOptions,
): DataLoader<Task, Result | null, string> {
  return new DataLoader<Task, Result | null, string>(
    // An Error in the slot of a task that failed; the other tasks of the batch still resolve.
    (tasks) =>
      Promise.all(
        tasks.map((task) =>
          call(task, options).then(
            (response) => response.result,
            (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
          ),
        ),
      ),
    { cacheKeyFn: taskKey },
  );
}

/** Creates the loaders of one GraphQL request. `signal` aborts its upstream calls when the client goes away. */
export function createLoaders(client: BacklinksClient, options: CallOptions = {}): Loaders {
  return {
    summaryByTarget: createTaskLoader((t, o) => client.summary(t, o), options),
    referringDomainsByPage: createTaskLoader((t, o) => client.referringDomains(t, o), options),
    domainIntersectionByPage: createTaskLoader((t, o) => client.domainIntersection(t, o), options),
  };
}
