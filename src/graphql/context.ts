import { setMaxListeners } from 'node:events';
import type { YogaInitialContext } from 'graphql-yoga';
import { createLoaders, type Loaders } from './loaders.js';
import { createCostMeter, type CostMeter } from '../upstream/cost-meter.js';
import type { UpstreamGateway } from '../upstream/gateway.js';
import type { SpendAccount, SpendStatus } from '../ops/spend-ledger.js';

/** What every resolver gets: this request's loaders and cost meter. Nothing request-scoped lives at module level. */
export interface Context {
  loaders: Loaders;
  meter: CostMeter;
  /** The API key the request presented (set by the gate); undefined when API_KEYS is not set. */
  apiKey?: SpendAccount;
  /** That key's spend today, read from the ledger at most once per request (set by the cost plugin with the key). */
  spend?: () => Promise<SpendStatus>;
}

/** Returns Yoga's `context` factory: fresh loaders and meter per request, bound to the request's abort signal. */
export function createContextFactory(gateway: UpstreamGateway) {
  return ({ request }: YogaInitialContext): Context => {
    // Every pending upstream task of the request listens for its abort, and a page's asTarget hops are many: each
    // listener goes when its task settles, so Node's leak warning at 10 would only be noise here.
    setMaxListeners(0, request.signal);
    const meter = createCostMeter();
    return { meter, loaders: createLoaders(gateway, { meter, signal: request.signal }) };
  };
}
