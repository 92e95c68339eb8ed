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
  if (/@(?:defer|stream)\b/.test(query)) {
    // Incremental delivery: asked for as GraphiQL asks, every part free of errors, the last one final.
    const response = await env.app.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
      body: JSON.stringify({ query }),
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    const parts = [...text.matchAll(/\r?\n\r?\n(\{.*\})\r?\n/g)].map(
      (m) => JSON.parse(m[1] ?? '{}') as { errors?: unknown; hasNext?: boolean },
    );
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.errors).toBeUndefined();
    expect(parts.at(-1)?.hasNext).toBe(false);
    expect(text).toMatch(/:\d/);
    return;
  }
  const { body } = await env.app.execute(query);
  expect(body.errors).toBeUndefined();
  // Data, not just nulls: some number came back.
  expect(JSON.stringify(body.data)).toMatch(/:\d/);
});
