/** The DataForSEO Backlinks client: usable on its own, without GraphQL. */
export * from './client.js';
export * from './errors.js';
export * from './providers.js';
export * from './target.js';
export type * from './types.js';
export { LIVE_ENDPOINTS } from './types.js';
