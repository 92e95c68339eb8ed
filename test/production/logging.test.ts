import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { createDataForSeoProvider } from '../../src/dataforseo/providers.js';
import { createJsonLogger } from '../../src/ops/logger.js';
import { createUpstream } from '../../src/upstream/index.js';
import { startSandbox } from '../helpers/sandbox.js';

/** Structured logs: one JSON line per request with a request id; never a credential, key or variable. */

const LOGIN = 'log-login@example.com';
const PASSWORD = 'log-password-never-printed';
const API_KEY = 'log-api-key-never-printed-0001';
const lines: string[] = [];
const { sandbox, url } = await startSandbox({
  credentials: { login: LOGIN, password: 'wrong-on-purpose' },
  faults: { targetCodes: { 'broken.com': 50000 } },
});
const { gateway } = createUpstream({
  provider: createDataForSeoProvider({ baseUrl: url, login: LOGIN, password: PASSWORD }),
  limits: { maxConcurrency: 5, maxPerWindow: 1000, queueTimeoutMs: 5000, maxQueued: 100 },
  retry: { retries: 1, deadlineMs: 1000, minDelayMs: 1, maxDelayMs: 2 },
});
const app = createApp({
  gateway,
  security: { apiKeys: [API_KEY] },
  logger: createJsonLogger('debug', (line) => lines.push(line)),
});
afterAll(() => sandbox.close());

const post = (query: string, variables: Record<string, unknown>, headers: Record<string, string>) =>
  Promise.resolve(
    app.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    }),
  );

describe('request logs', () => {
  it('write one JSON line per request, with its id, status, operation and cost — and no secret', async () => {
    const secretVariable = 'variable-value-never-printed';
    const ok = await post(
      'query Failing($t: String!, $note: String!) { target(target: $t) { rank } other: target(target: $note) { id } }',
      { t: 'example.com', note: secretVariable },
      { 'x-api-key': API_KEY, 'x-request-id': 'req-42' },
    );
    expect(ok.headers.get('x-request-id')).toBe('req-42');
    const denied = await post('{ __typename }', {}, { authorization: 'Bearer not-the-key-123456' });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const request = entries.find((e) => e.requestId === 'req-42');
    expect(request).toMatchObject({
      level: 'info',
      msg: 'request',
      method: 'POST',
      path: '/graphql',
      status: 200,
      operationName: 'Failing',
      upstreamCalls: 1,
    });
    expect((request?.errorCodes as string[]).sort()).toEqual(['BAD_USER_INPUT', 'UPSTREAM_AUTH']);
    expect(entries.some((e) => e.status === 401)).toBe(true);
    const all = lines.join('\n');
    for (const secret of [PASSWORD, API_KEY, 'not-the-key-123456', secretVariable, Buffer.from(`${LOGIN}:${PASSWORD}`).toString('base64')])
      expect(all).not.toContain(secret);
  });
});
