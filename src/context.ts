import type { YogaInitialContext } from 'graphql-yoga';
import type { BacklinksClient } from './dataforseo/client.js';
import { createLoaders, type Loaders } from './loaders.js';

/** What every resolver gets: this request's loaders. Nothing request-scoped lives at module level. */
export interface Context {
  loaders: Loaders;
}

/** Returns Yoga's `context` factory: fresh loaders per request, bound to the request's abort signal. */
export function createContextFactory(client: BacklinksClient) {
  return ({ request }: YogaInitialContext): Context => ({
    loaders: createLoaders(client, { signal: request.signal }),
  });
}
