import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/server.js';
import { createTestApp } from '../helpers/app.js';
import { startSandbox } from '../helpers/sandbox.js';

/** Every ```graphql block of the README runs as pasted against the sandbox, with data and no error. */

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

let sandbox: Sandbox;
let app: ReturnType<typeof createTestApp>;
beforeAll(async () => {
  const started = await startSandbox();
  sandbox = started.sandbox;
  app = createTestApp(started.url, 'dataforseo', { sandbox: true });
});
afterAll(async () => {
  await app.close();
  await sandbox.close();
});

it('has examples', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(4);
});

it.each(blocks.map((b) => [b.match(/query (\w+)/)?.[1] ?? 'anonymous', b]))('%s runs as pasted', async (_name, query) => {
  const { body } = await app.execute(query);
  expect(body.errors).toBeUndefined();
  // Data, not just nulls: some number came back.
  expect(JSON.stringify(body.data)).toMatch(/:\d/);
});
