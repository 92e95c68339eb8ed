import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { useSandboxApp } from '../helpers/sandbox.js';

/** Every ```graphql block of the README runs as pasted against the sandbox, with data and no error. */

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

const env = useSandboxApp();

it('has examples', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(4);
});

it.each(blocks.map((b) => [b.match(/query (\w+)/)?.[1] ?? 'anonymous', b]))('%s runs as pasted', async (_name, query) => {
  const { body } = await env.app.execute(query);
  expect(body.errors).toBeUndefined();
  // Data, not just nulls: some number came back.
  expect(JSON.stringify(body.data)).toMatch(/:\d/);
});
