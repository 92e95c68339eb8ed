import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { generate } from '@graphql-codegen/cli';
import * as prettier from 'prettier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import exampleCodegen from '../../examples/frontend/codegen.js';
import { createClient, documentId } from '../../examples/frontend/src/client.js';
import { ProspectRanksDocument, TargetOverviewDocument } from '../../examples/frontend/src/operations.js';
import { startServer } from '../helpers/server-process.js';
import { startSandbox } from '../helpers/sandbox.js';
import type { Sandbox } from '../../src/sandbox/server.js';

/**
 * The consumer's path, end to end: examples/frontend's client is generated from the committed SDL, and run over HTTP
 * against the real server process — on its embedded sandbox, and locked to the example's trusted documents.
 */

const EXAMPLE = resolve('examples/frontend');
const MANIFEST = join(EXAMPLE, 'src/gql/persisted-documents.json');

/** Runs the example's entry point as a user would (`npm start` in examples/frontend), against `url`. */
async function runExample(url: string, sendDocumentIds = false): Promise<{ lines: string[]; sandbox: boolean }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: EXAMPLE,
    env: { PATH: process.env.PATH ?? '', GRAPHQL_URL: url, SEND_DOCUMENT_IDS: String(sendDocumentIds) },
  });
  return JSON.parse(stdout) as { lines: string[]; sandbox: boolean };
}

describe('the example frontend client', () => {
  it('is what codegen makes of the committed schema/schema.graphql and its operations (no drift)', async () => {
    // The example's own codegen.ts, run in its directory without writing; formatted as its hook formats it.
    const outputs = await generate({ ...exampleCodegen, cwd: EXAMPLE, silent: true }, false);
    const files = outputs.map((o: { filename: string }) => o.filename).sort();
    expect(files).toEqual(['src/gql/gql.ts', 'src/gql/graphql.ts', 'src/gql/index.ts', 'src/gql/persisted-documents.json']);
    for (const output of outputs) {
      const path = join(EXAMPLE, output.filename);
      const formatted = await prettier.format(output.content, { ...(await prettier.resolveConfig(path)), filepath: path });
      expect(readFileSync(path, 'utf8'), `${output.filename} has drifted: run \`npm run codegen\` in examples/frontend`).toBe(formatted);
    }
    // The manifest lists exactly the example's documents, by the hashes the documents carry.
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
    expect(Object.keys(manifest).sort()).toEqual([documentId(TargetOverviewDocument), documentId(ProspectRanksDocument)].sort());
  });

  it('calls the server process on its sandbox over HTTP with fetch, typed, and gets synthetic data', async () => {
    const server = startServer({ PORT: '0', HOST: '127.0.0.1' });
    const url = await server.ready;

    const printed = await runExample(url);
    expect(printed.sandbox).toBe(true);
    expect(printed.lines[0]).toMatch(/^backlinko\.com: rank \d+, \d+ backlinks, first seen \d{4}-/);
    expect(printed.lines.filter((l) => l.startsWith('  from '))).toHaveLength(3);
    expect(printed.lines.slice(-2)).toEqual([
      expect.stringMatching(/^ahrefs\.com: rank \d+$/),
      expect.stringMatching(/^moz\.com: rank \d+$/),
    ]);

    // The same client in this (type-checked) file: the result types are the generated ones.
    const execute = createClient({ url });
    const answer = await execute(TargetOverviewDocument, { target: 'moz.com', first: 2 });
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
    const domains: string[] = answer.data?.target?.referringDomains?.nodes.map((n) => n.domain) ?? [];
    const rank: number | null | undefined = answer.data?.target?.rank;
    expect(domains).toHaveLength(2);
    expect(rank).toEqual(expect.any(Number));
    expect(answer.extensions?.sandbox).toMatchObject({ synthetic: true });
  });
});

describe('the server process with TRUSTED_DOCUMENTS from the example’s generated manifest', () => {
  let sandbox: Sandbox;
  let upstream: Record<string, string>;
  beforeAll(async () => {
    const started = await startSandbox();
    sandbox = started.sandbox;
    // The server reaches this sandbox as its DataForSEO upstream, so that the test counts what reaches it.
    upstream = { DATAFORSEO_LOGIN: 'sandbox', DATAFORSEO_PASSWORD: 'sandbox', DATAFORSEO_BASE_URL: started.url };
  });
  afterAll(() => sandbox.close());

  it('enforced: the example’s operations answer; an ad-hoc query is refused naming the setting, with zero upstream calls', async () => {
    const server = startServer({ PORT: '0', HOST: '127.0.0.1', ...upstream, TRUSTED_DOCUMENTS: MANIFEST, TRUSTED_DOCUMENTS_ONLY: 'true' });
    const url = await server.ready;

    sandbox.resetStats();
    const printed = await runExample(url, true);
    expect(printed.lines[0]).toMatch(/^backlinko\.com: rank \d+/);
    expect(sandbox.stats().calls).toBeGreaterThan(0);

    sandbox.resetStats();
    // The very document the example trusts, sent as text (as GraphiQL would), for a target nothing has fetched yet.
    const adHoc = await createClient({ url })(TargetOverviewDocument, { target: 'never-fetched.example' });
    expect(adHoc.status).toBe(400);
    expect(adHoc.data).toBeUndefined();
    expect(adHoc.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('TRUSTED_DOCUMENTS_ONLY'),
        extensions: expect.objectContaining({ code: 'TRUSTED_DOCUMENT_REQUIRED', setting: 'TRUSTED_DOCUMENTS_ONLY' }),
      }),
    ]);
    expect(sandbox.stats().requests).toBe(0);
    expect(server.output().stderr).toBe('');
  });

  it('not enforced: the same ad-hoc query runs and reaches the upstream (the control of the test above)', async () => {
    const server = startServer({ PORT: '0', HOST: '127.0.0.1', ...upstream, TRUSTED_DOCUMENTS: MANIFEST });
    const url = await server.ready;
    sandbox.resetStats();
    const adHoc = await createClient({ url })(TargetOverviewDocument, { target: 'never-fetched.example' });
    expect(adHoc.errors).toBeUndefined();
    expect(adHoc.data?.target?.target).toBe('never-fetched.example');
    expect(sandbox.stats().callsByEndpoint).toEqual({ summary: 1, referring_domains: 1 });
    const byId = await createClient({ url, sendDocumentIds: true })(ProspectRanksDocument, { targets: ['ahrefs.com'] });
    expect(byId.data?.targets?.[0]?.bulkMetrics?.rank).toEqual(expect.any(Number));
  });

  it('refuses to start on a manifest it cannot read, naming the setting', async () => {
    const server = startServer({ PORT: '0', HOST: '127.0.0.1', TRUSTED_DOCUMENTS: join(EXAMPLE, 'missing.json') });
    await expect(server.ready).rejects.toThrow(/exited with 1: .*TRUSTED_DOCUMENTS \(.*missing\.json\) cannot be read: ENOENT/s);
  });
});
