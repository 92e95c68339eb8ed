import type { LiveEndpoint } from './types.js';

/** How one way of reaching the API frames a call: where it goes, how it authenticates, what the body looks like. */
export interface Provider {
  readonly name: 'dataforseo' | 'aisa';
  /** The absolute URL of a live endpoint. */
  url(endpoint: LiveEndpoint): string;
  /** Request headers, credentials included. Never log them. */
  headers(): Record<string, string>;
  /** The request body for one task. */
  body(task: object): string;
  /**
   * A free call that says whether the credentials are accepted (DataForSEO's `GET /v3/appendix/user_data`);
   * none where the provider offers no free call (AIsa bills every call, so its key is only checked by use).
   */
  readonly accountUrl?: string;
}

export const DATAFORSEO_DEFAULT_BASE_URL = 'https://api.dataforseo.com';
export const AISA_DEFAULT_BASE_URL = 'https://api.aisa.one/apis/v1';

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** DataForSEO direct: HTTP Basic, `/v3/backlinks/{endpoint}/live`, body = an array holding exactly one task. */
export function createDataForSeoProvider(options: { baseUrl?: string; login: string; password: string }): Provider {
  const base = trimSlash(options.baseUrl ?? DATAFORSEO_DEFAULT_BASE_URL);
  const authorization = `Basic ${Buffer.from(`${options.login}:${options.password}`).toString('base64')}`;
  return {
    name: 'dataforseo',
    url: (endpoint) => `${base}/v3/backlinks/${endpoint}/live`,
    headers: () => ({ authorization, 'content-type': 'application/json', accept: 'application/json' }),
    // One task per call: a second task would come back as 40000 and the first would still be billed.
    body: (task) => JSON.stringify([task]),
    accountUrl: `${base}/v3/appendix/user_data`,
  };
}

/** The AIsa proxy: Bearer key, `{base}/dataforseo/backlinks/{endpoint}/live`, body = the task object itself. */
export function createAisaProvider(options: { baseUrl?: string; apiKey: string }): Provider {
  const base = trimSlash(options.baseUrl ?? AISA_DEFAULT_BASE_URL);
  const authorization = `Bearer ${options.apiKey}`;
  return {
    name: 'aisa',
    url: (endpoint) => `${base}/dataforseo/backlinks/${endpoint}/live`,
    headers: () => ({ authorization, 'content-type': 'application/json', accept: 'application/json' }),
    body: (task) => JSON.stringify(task),
  };
}
