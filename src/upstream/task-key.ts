import stringify from 'safe-stable-stringify';
import type { LiveEndpoint } from '../dataforseo/types.js';

/**
 * The canonical key of an upstream task: its endpoint and stable JSON of every parameter, so `{a, b}` and `{b, a}`
 * are one key. The one definition that the per-request loaders, the gateway's cache and in-flight map, and the
 * cursor fingerprints all use: the same question is the same key everywhere.
 */
export function taskKey(endpoint: LiveEndpoint, task: object): string {
  return `${endpoint}\n${stringify(task) ?? ''}`;
}
