import { js } from '@graphql-yoga/render-graphiql/graphiql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { startSandbox } from '../helpers/sandbox.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { listen, postForParts } from './parts.js';

/**
 * GraphiQL runs a deferred query: HTTP-level, not in the browser. The GraphiQL bundle the server serves sends queries
 * by POST with this Accept (and reads multipart/mixed answers part by part); the server answers a deferred query
 * under it in parts. (A @live query would go by GET with text/event-stream; the schema has none.)
 */
const GRAPHIQL_ACCEPT = 'application/graphql-response+json, application/json, multipart/mixed';

let sandbox: Sandbox;
let app: ReturnType<typeof createTestApp>;
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  let url: string;
  ({ sandbox, url } = await startSandbox());
  app = createTestApp(url, 'dataforseo', { sandbox: true });
  server = await listen(app.yoga);
});
afterAll(async () => {
  await server.close();
  await app.close();
  await sandbox.close();
});

it("answers a deferred query in parts under the Accept of GraphiQL's fetcher", async () => {
  const bundle = String(js);
  expect(bundle).toContain(`"${GRAPHIQL_ACCEPT}"`);
  expect(bundle).toContain('multipart/mixed');
  const { status, contentType, parts } = await postForParts(
    server.url,
    `{ target(target: "backlinko.com") { rank ... @defer { backlinkCount } } }`,
    { headers: { accept: GRAPHIQL_ACCEPT } },
  );
  expect(status).toBe(200);
  expect(contentType).toMatch(/^multipart\/mixed/);
  expect(parts.map((part) => part.body.hasNext)).toEqual([true, false]);
  expect(parts[0]!.body.data.target).toEqual({ rank: expect.any(Number) });
  expect(parts[1]!.body.incremental).toEqual([{ path: ['target'], data: { backlinkCount: expect.any(Number) } }]);
});
