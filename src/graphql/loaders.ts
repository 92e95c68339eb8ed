import DataLoader from 'dataloader';
import type { BulkEndpoint, BulkItemOf, BulkParams } from '../dataforseo/bulk.js';
import { normalizeTarget } from '../dataforseo/target.js';
import type { LiveEndpoint, ResultOf, TaskOf } from '../dataforseo/types.js';
import type { CallContext, UpstreamGateway } from '../upstream/gateway.js';
import { taskKey } from '../upstream/task-key.js';

/**
 * Per-request loaders. Resolvers never call the client; they ask a loader.
 *
 * The live endpoints (summary, referring_domains, domain_intersection) take one task per call, so their loaders,
 * keyed by the canonical task, deduplicate (the same task asked 50 times in an operation is fetched once) and fan
 * distinct tasks out concurrently.
 *
 * The bulk endpoints take up to 1000 targets per call, so their loaders, one per endpoint and parameters and keyed
 * by the normalised target, batch: every target an operation asks of one bulk endpoint goes out in as few calls as
 * the endpoint allows (the gateway packs them, after taking out what its cache or another request's call already
 * has). For that, a bulk batch waits until the operation has nothing left in flight that could bring more targets —
 * see `BatchWindow` — so that a page's hundred `asTarget` hops and a list's thousand targets are one batch, and the
 * budget estimator can count `ceil(n / 1000)` calls per endpoint and parameters.
 *
 * What happens next — shared cache, coalescing across requests, limits, retries — is the gateway's.
 */
export interface Loaders {
  summaryByTarget: DataLoader<TaskOf<'summary'>, ResultOf<'summary'> | null, string>;
  referringDomainsByPage: DataLoader<TaskOf<'referring_domains'>, ResultOf<'referring_domains'> | null, string>;
  domainIntersectionByPage: DataLoader<TaskOf<'domain_intersection'>, ResultOf<'domain_intersection'> | null, string>;
  /** The loader of one bulk endpoint with these parameters (`rank_scale`, `date_from` …), keyed by normalised target. */
  bulk<E extends BulkEndpoint>(endpoint: E, params: BulkParams): DataLoader<string, BulkItemOf<E> | null, string>;
}

/**
 * Tracks the operation's loads that can bring new objects (pages of referring domains and intersections, and so
 * new Targets), and runs the bulk batches once none is pending. Hand-written: DataLoader batches what is asked in
 * one tick, and no library batches "until the operation is quiet". Summary loads are not tracked — a summary only
 * brings counters, never a new Target — so a Target's summary and its bulk figures are fetched side by side.
 *
 * Node drains every process.nextTick and promise job before a setImmediate callback runs, and DataLoader dispatches
 * its batches from those queues: when the check below finds nothing pending, every load that the settled work led
 * to has been made, and its object-bringing loads are pending already.
 */
class BatchWindow {
  #pending = 0;
  #waiting: (() => void)[] = [];
  #checking = false;

  /** Counts `work` as pending from now until it settles. */
  hold<T>(work: Promise<T>): Promise<T> {
    this.#pending += 1;
    return work.finally(() => {
      this.#pending -= 1;
      this.#check();
    });
  }

  /** A DataLoader `batchScheduleFn`: runs the batch once nothing that could add to it is pending. */
  readonly whenQuiet = (dispatch: () => void): void => {
    this.#waiting.push(dispatch);
    this.#check();
  };

  #check(): void {
    if (this.#checking || this.#waiting.length === 0) return;
    this.#checking = true;
    setImmediate(() => {
      this.#checking = false;
      if (this.#pending > 0) return;
      const ready = this.#waiting;
      this.#waiting = [];
      for (const dispatch of ready) dispatch();
    });
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function createTaskLoader<E extends LiveEndpoint>(
  gateway: UpstreamGateway,
  endpoint: E,
  context: CallContext,
  window?: BatchWindow,
): DataLoader<TaskOf<E>, ResultOf<E> | null, string> {
  return new DataLoader<TaskOf<E>, ResultOf<E> | null, string>(
    // An Error in the slot of a task that failed; the other tasks of the batch still resolve.
    (tasks) => {
      const all = Promise.all(tasks.map((task) => gateway.call(endpoint, task, context).catch(asError)));
      return window ? window.hold(all) : all;
    },
    {
      cacheKeyFn: (task) => taskKey(endpoint, task),
      // Pending from the moment it is asked for, not only once DataLoader dispatches it.
      ...(window ? { batchScheduleFn: (dispatch) => void window.hold(nextBatchTick()).then(dispatch) } : {}),
    },
  );
}

/** DataLoader's own default moment to dispatch: after the current promise jobs, on the next tick. */
function nextBatchTick(): Promise<void> {
  return Promise.resolve().then(() => new Promise<void>((resolve) => process.nextTick(resolve)));
}

function isSendable(target: string): boolean {
  try {
    normalizeTarget(target);
    return true;
  } catch {
    return false;
  }
}

function createBulkLoader<E extends BulkEndpoint>(
  gateway: UpstreamGateway,
  endpoint: E,
  params: BulkParams,
  context: CallContext,
  window: BatchWindow,
): DataLoader<string, BulkItemOf<E> | null, string> {
  return new DataLoader<string, BulkItemOf<E> | null, string>(
    // One slot per target: its item, null when the answer lacks it, or the Error of the call that carried it.
    async (targets) => {
      // A referring domain the normaliser refuses ("my_site.example.com") stays an asTarget as the upstream spelt it;
      // in a bulk task it would fail the whole task (40501), and so every other target of the batch: it gets no
      // bulk figures instead.
      const sendable = targets.filter(isSendable);
      const items =
        sendable.length === 0
          ? []
          : await gateway.callBulk(endpoint, params, sendable, context).catch((error: unknown) => sendable.map(() => asError(error)));
      const byTarget = new Map(sendable.map((target, i) => [target, items[i] ?? null]));
      return targets.map((target) => byTarget.get(target) ?? null);
    },
    { batchScheduleFn: window.whenQuiet },
  );
}

/** Creates the loaders of one GraphQL request, charging its meter; its signal drops its queued calls. */
export function createLoaders(gateway: UpstreamGateway, context: CallContext): Loaders {
  const window = new BatchWindow();
  const bulkLoaders = new Map<string, DataLoader<string, unknown, string>>();
  return {
    summaryByTarget: createTaskLoader(gateway, 'summary', context),
    referringDomainsByPage: createTaskLoader(gateway, 'referring_domains', context, window),
    domainIntersectionByPage: createTaskLoader(gateway, 'domain_intersection', context, window),
    bulk<E extends BulkEndpoint>(endpoint: E, params: BulkParams) {
      const key = taskKey(endpoint, params);
      let loader = bulkLoaders.get(key);
      if (!loader) {
        loader = createBulkLoader(gateway, endpoint, params, context, window);
        bulkLoaders.set(key, loader);
      }
      return loader as DataLoader<string, BulkItemOf<E> | null, string>;
    },
  };
}
