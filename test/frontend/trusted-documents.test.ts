import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useSandboxApp } from '../helpers/sandbox.js';
import { createTestApp } from '../helpers/app.js';
import { ConfigError, readConfig } from '../../src/ops/config.js';
import { loadTrustedDocuments } from '../../src/http/plugins/trusted-documents.js';
import { ProspectRanksDocument, TargetOverviewDocument } from '../../examples/frontend/src/operations.js';
import { documentId } from '../../examples/frontend/src/client.js';

/**
 * Trusted documents in-process, with the example client's generated manifest, against the sandbox: what is
 * accepted, what is refused (before parsing, coded, naming the setting), and that no refusal reaches the upstream.
 */

export const MANIFEST = 'examples/frontend/src/gql/persisted-documents.json';
const loaded = loadTrustedDocuments(MANIFEST);
if ('problem' in loaded) throw new Error(loaded.problem);
const documents = loaded.documents;

const overviewId = documentId(TargetOverviewDocument) ?? '';
const prospectsId = documentId(ProspectRanksDocument) ?? '';
const overviewText = documents.get(overviewId) ?? '';
const AD_HOC = '{ target(target: "ad-hoc.example") { rank backlinkCount } }';

const enforced = useSandboxApp({}, 'dataforseo', { security: { trustedDocuments: { path: MANIFEST, documents, only: true } } });
const open = useSandboxApp({}, 'dataforseo', { security: { trustedDocuments: { path: MANIFEST, documents, only: false } } });

type Env = typeof enforced;

/** A raw request to the app: JSON body (POST) or query parameters (GET), under graphql-response+json by default. */
async function send(env: Env, request: { body?: unknown; get?: Record<string, string>; accept?: string }) {
  const headers: Record<string, string> = { accept: request.accept ?? 'application/graphql-response+json' };
  let response: Response;
  if (request.get) {
    const url = `http://yoga/graphql?${new URLSearchParams(request.get).toString()}`;
    response = await env.app.yoga.fetch(url, { method: 'GET', headers: { ...headers, 'x-graphql-csrf': '1' } });
  } else {
    response = await env.app.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: typeof request.body === 'string' ? request.body : JSON.stringify(request.body),
    });
  }
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as { data?: any; errors?: any[]; extensions?: any } };
}

/** The answer's single error code, asserting that nothing ran. */
function refusedCode(answer: Awaited<ReturnType<typeof send>>): string {
  expect(answer.body.data).toBeUndefined();
  expect(answer.body.errors).toHaveLength(1);
  return answer.body.errors?.[0].extensions.code;
}

beforeEach(() => {
  enforced.sandbox.resetStats();
  open.sandbox.resetStats();
});

describe('with TRUSTED_DOCUMENTS_ONLY', () => {
  it('runs a trusted document named by documentId (POST), with its variables, at its upstream cost', async () => {
    const answer = await send(enforced, { body: { documentId: overviewId, variables: { target: 'backlinko.com', first: 2 } } });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.target.target).toBe('backlinko.com');
    expect(answer.body.data.target.referringDomains.nodes).toHaveLength(2);
    expect(enforced.sandbox.stats().callsByEndpoint).toEqual({ summary: 1, referring_domains: 1 });
    // Trusted is not free: the budget ran on it and reported what it spent.
    expect(answer.body.extensions.cost).toMatchObject({ upstreamCalls: 2 });
  });

  it('runs a trusted document named by Apollo’s extensions.persistedQuery, and by GET (documentId or extensions)', async () => {
    const apq = await send(enforced, {
      body: { extensions: { persistedQuery: { version: 1, sha256Hash: prospectsId } }, variables: { targets: ['ahrefs.com', 'moz.com'] } },
    });
    expect(apq.body.errors).toBeUndefined();
    expect(apq.body.data.targets.map((t: any) => t.target)).toEqual(['ahrefs.com', 'moz.com']);

    const get = await send(enforced, { get: { documentId: overviewId, variables: JSON.stringify({ target: 'moz.com' }) } });
    expect(get.status).toBe(200);
    expect(get.body.data.target.target).toBe('moz.com');

    const getApq = await send(enforced, {
      get: {
        extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: overviewId } }),
        variables: JSON.stringify({ target: 'ahrefs.com' }),
      },
    });
    expect(getApq.body.data.target.target).toBe('ahrefs.com');
  });

  it('refuses a query text before parsing it: coded, naming the setting, 400 (200 under application/json), no call', async () => {
    for (const query of [AD_HOC, '{ this is not GraphQL ((((', overviewText]) {
      const answer = await send(enforced, { body: { query, variables: { target: 'backlinko.com' } } });
      expect(answer.status).toBe(400);
      // Not GRAPHQL_PARSE_FAILED for the syntax error: the text was never parsed.
      expect(refusedCode(answer)).toBe('TRUSTED_DOCUMENT_REQUIRED');
      expect(answer.body.errors?.[0].extensions.setting).toBe('TRUSTED_DOCUMENTS_ONLY');
      expect(answer.body.errors?.[0].message).toMatch(/TRUSTED_DOCUMENTS_ONLY/);
    }
    const legacy = await send(enforced, { body: { query: AD_HOC }, accept: 'application/json' });
    expect(legacy.status).toBe(200);
    expect(refusedCode(legacy)).toBe('TRUSTED_DOCUMENT_REQUIRED');
    const get = await send(enforced, { get: { query: AD_HOC } });
    expect(get.status).toBe(400);
    expect(refusedCode(get)).toBe('TRUSTED_DOCUMENT_REQUIRED');
    expect(enforced.sandbox.stats().requests).toBe(0);
  });

  it('refuses a trusted id sent with a query text, whether the text differs from the document or not', async () => {
    for (const query of [AD_HOC, overviewText]) {
      const answer = await send(enforced, { body: { documentId: overviewId, query, variables: { target: 'backlinko.com' } } });
      expect(refusedCode(answer)).toBe('TRUSTED_DOCUMENT_REQUIRED');
      const apq = await send(enforced, {
        body: { query, extensions: { persistedQuery: { version: 1, sha256Hash: overviewId } }, variables: { target: 'backlinko.com' } },
      });
      expect(refusedCode(apq)).toBe('TRUSTED_DOCUMENT_REQUIRED');
    }
    expect(enforced.sandbox.stats().requests).toBe(0);
  });

  it('refuses an id not in the manifest, never quoting it, however long (up to the body limit)', async () => {
    const unknown = ['0'.repeat(64), overviewId.toUpperCase(), `${overviewId}0`, 'x'.repeat(90_000), `sha256:${overviewId}`];
    for (const id of unknown) {
      const answer = await send(enforced, { body: { documentId: id, variables: { target: 'backlinko.com' } } });
      expect(answer.status).toBe(400);
      expect(refusedCode(answer)).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
      expect(answer.body.errors?.[0].extensions.setting).toBe('TRUSTED_DOCUMENTS');
      expect(answer.text).not.toContain(id.slice(0, 40));
      expect(answer.text.length).toBeLessThan(1000);
    }
    const tooLarge = await send(enforced, { body: { documentId: 'x'.repeat(200_000) } });
    expect(tooLarge.status).toBe(413);
    expect(refusedCode(tooLarge)).toBe('PAYLOAD_TOO_LARGE');
    expect(enforced.sandbox.stats().requests).toBe(0);
  });

  it('refuses oddly spelled ids and extensions with a code, and runs nothing', async () => {
    const cases: [unknown, string][] = [
      [{}, 'TRUSTED_DOCUMENT_REQUIRED'],
      [{ variables: { target: 'a.com' } }, 'TRUSTED_DOCUMENT_REQUIRED'],
      [{ extensions: { persistedQuery: { version: 1, sha256hash: overviewId } } }, 'BAD_REQUEST'],
      [{ extensions: { persistedquery: { version: 1, sha256Hash: overviewId } } }, 'TRUSTED_DOCUMENT_REQUIRED'],
      [{ extensions: { persistedQuery: { version: 2, sha256Hash: overviewId } } }, 'BAD_REQUEST'],
      [{ extensions: { persistedQuery: { version: '1', sha256Hash: overviewId } } }, 'BAD_REQUEST'],
      [{ extensions: { persistedQuery: overviewId } }, 'BAD_REQUEST'],
      [{ extensions: { persistedQuery: [overviewId] } }, 'BAD_REQUEST'],
      [{ extensions: { persistedQuery: { version: 1, sha256Hash: 42 } } }, 'BAD_REQUEST'],
      [{ extensions: overviewId }, 'BAD_REQUEST'],
      [{ documentId: 42 }, 'BAD_REQUEST'],
      [{ documentId: [overviewId] }, 'BAD_REQUEST'],
      [{ documentId: { $eq: overviewId } }, 'BAD_REQUEST'],
      [{ documentId: '' }, 'BAD_REQUEST'],
      [{ documentId: overviewId, extensions: { persistedQuery: { version: 1, sha256Hash: prospectsId } } }, 'BAD_REQUEST'],
      [{ documentid: overviewId }, 'BAD_REQUEST'],
      [{ documentID: overviewId }, 'BAD_REQUEST'],
      [{ id: overviewId }, 'BAD_REQUEST'],
      [{ query: { documentId: overviewId } }, 'TRUSTED_DOCUMENT_REQUIRED'],
    ];
    for (const [body, code] of cases) {
      const answer = await send(enforced, { body });
      expect([400, 413]).toContain(answer.status);
      expect(refusedCode(answer), JSON.stringify(body)).toBe(code);
    }
    // Two GET ids that differ.
    const twoIds = await enforced.app.yoga.fetch(`http://yoga/graphql?documentId=${overviewId}&documentId=${prospectsId}`, {
      headers: { 'x-graphql-csrf': '1', accept: 'application/graphql-response+json' },
    });
    expect(twoIds.status).toBe(400);
    expect((await twoIds.json()).errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(enforced.sandbox.stats().requests).toBe(0);
  });

  it('refuses a batch, even of trusted ids', async () => {
    const answer = await send(enforced, {
      body: [
        { documentId: overviewId, variables: { target: 'a.com' } },
        { documentId: overviewId, variables: { target: 'b.com' } },
      ],
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0].extensions.code).toBe('BAD_REQUEST');
    expect(enforced.sandbox.stats().requests).toBe(0);
  });

  it('answers any JSON body with a coded refusal and no call unless it names a trusted document (property)', async () => {
    const id = fc.oneof(
      fc.constantFrom(overviewId, prospectsId, overviewId.slice(1), ''),
      fc.string({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 3 }),
    );
    const body = fc.record(
      {
        documentId: id,
        query: fc.oneof(fc.constantFrom(AD_HOC, overviewText), fc.string({ maxLength: 50 }), fc.jsonValue({ maxDepth: 2 })),
        extensions: fc.oneof(
          fc.record({
            persistedQuery: fc.record({ version: fc.oneof(fc.constant(1), fc.jsonValue()), sha256Hash: id }, { requiredKeys: [] }),
          }),
          fc.jsonValue({ maxDepth: 3 }),
        ),
        variables: fc.constantFrom({}, { target: 'x.com' }, null, 'x'),
        operationName: fc.oneof(fc.constant('TargetOverview'), fc.string({ maxLength: 20 })),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        enforced.sandbox.resetStats();
        const answer = await send(enforced, { body: b });
        expect(answer.status).toBeLessThan(500);
        const codes = (answer.body.errors ?? []).map((e: any) => e.extensions?.code);
        expect(codes.every((c: unknown) => typeof c === 'string')).toBe(true);
        const sentText = (b as any).query !== undefined && (b as any).query !== null && (b as any).query !== '';
        if (answer.body.data === undefined) {
          expect(codes.length).toBeGreaterThan(0);
          expect(enforced.sandbox.stats().requests).toBe(0);
        } else {
          // It ran: it named a trusted document and sent no text.
          expect(sentText).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the budget on trusted documents: over MAX_UPSTREAM_CALLS_PER_OPERATION is refused before any call', async () => {
    const app = createTestApp(enforced.url, 'dataforseo', {
      maxUpstreamCallsPerOperation: 1,
      security: { trustedDocuments: { path: MANIFEST, documents, only: true } },
    });
    try {
      const response = await app.yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ documentId: overviewId, variables: { target: 'budget.example' } }),
      });
      const body = await response.json();
      expect(response.status).toBe(400);
      expect(body.errors[0].extensions).toMatchObject({ code: 'BUDGET_EXCEEDED', estimatedUpstreamCalls: 2, maxUpstreamCalls: 1 });
      expect(enforced.sandbox.stats().requests).toBe(0);
    } finally {
      await app.close();
    }
  });
});

describe('with TRUSTED_DOCUMENTS loaded, not enforced (development, and the step before enforcing)', () => {
  it('runs trusted ids and ad-hoc queries alike, and serves GraphiQL', async () => {
    const byId = await send(open, { body: { documentId: overviewId, variables: { target: 'backlinko.com' } } });
    expect(byId.body.data.target.target).toBe('backlinko.com');
    const adHoc = await send(open, { body: { query: AD_HOC } });
    expect(adHoc.body.errors).toBeUndefined();
    expect(adHoc.body.data.target.rank).toEqual(expect.any(Number));
    const page = await open.app.yoga.fetch('http://yoga/graphql', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/graphiql/i);
  });

  it('still refuses an unknown id, and a request with neither query nor id, without a call', async () => {
    const unknown = await send(open, { body: { documentId: 'f'.repeat(64) } });
    expect(refusedCode(unknown)).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
    const none = await send(open, { body: { variables: {} } });
    expect(none.status).toBe(400);
    expect(refusedCode(none)).toBe('BAD_REQUEST');
    expect(open.sandbox.stats().requests).toBe(0);
  });
});

describe('the TRUSTED_DOCUMENTS settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trusted-docs-'));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const problems = (env: Record<string, string>) => {
    try {
      readConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it('loads the example manifest; off by default; TRUSTED_DOCUMENTS_ONLY enforces', () => {
    expect(readConfig({}).security.trustedDocuments).toBeUndefined();
    const loadedOnly = readConfig({ TRUSTED_DOCUMENTS: MANIFEST }).security.trustedDocuments;
    expect(loadedOnly?.only).toBe(false);
    expect([...(loadedOnly?.documents.keys() ?? [])].sort()).toEqual([overviewId, prospectsId].sort());
    expect(readConfig({ TRUSTED_DOCUMENTS: MANIFEST, TRUSTED_DOCUMENTS_ONLY: 'true' }).security.trustedDocuments?.only).toBe(true);
  });

  it('refuses to start on a manifest it cannot use, saying why', () => {
    expect(problems({ TRUSTED_DOCUMENTS_ONLY: 'true' })).toEqual([expect.stringMatching(/TRUSTED_DOCUMENTS_ONLY needs TRUSTED_DOCUMENTS/)]);
    expect(problems({ TRUSTED_DOCUMENTS: MANIFEST, TRUSTED_DOCUMENTS_ONLY: 'maybe' })).toEqual([
      expect.stringMatching(/TRUSTED_DOCUMENTS_ONLY must be true or false/),
    ]);
    expect(problems({ TRUSTED_DOCUMENTS: join(dir, 'missing.json') })).toEqual([expect.stringMatching(/cannot be read: ENOENT/)]);
    expect(problems({ TRUSTED_DOCUMENTS: file('bad.json', '{"a":') })).toEqual([expect.stringMatching(/is not JSON/)]);
    expect(problems({ TRUSTED_DOCUMENTS: file('array.json', '["{ a }"]') })).toEqual([expect.stringMatching(/must be a JSON object/)]);
    expect(problems({ TRUSTED_DOCUMENTS: file('empty.json', '{}') })).toEqual([expect.stringMatching(/lists no documents/)]);
    expect(problems({ TRUSTED_DOCUMENTS: file('text.json', '{"abc": 1}') })).toEqual([expect.stringMatching(/is not a string/)]);
    expect(problems({ TRUSTED_DOCUMENTS: file('syntax.json', '{"abc": "{ a ("}') })).toEqual([expect.stringMatching(/does not parse/)]);
    expect(problems({ TRUSTED_DOCUMENTS: file('id.json', '{"a b": "{ a }"}') })).toEqual([expect.stringMatching(/is not a hash/)]);
    expect(problems({ TRUSTED_DOCUMENTS: file('long.json', `{"${'a'.repeat(161)}": "{ a }"}`) })).toEqual([
      expect.stringMatching(/is not a hash/),
    ]);
  });
});

describe('without TRUSTED_DOCUMENTS', () => {
  const none = useSandboxApp();
  it('answers a document id by saying the server has no manifest, and runs query texts as always', async () => {
    const byId = await send(none, { body: { documentId: overviewId, variables: { target: 'backlinko.com' } } });
    expect(byId.status).toBe(400);
    expect(refusedCode(byId)).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
    expect(byId.body.errors?.[0].message).toMatch(/TRUSTED_DOCUMENTS is unset/);
    expect(none.sandbox.stats().requests).toBe(0);
    const adHoc = await send(none, { body: { query: AD_HOC } });
    expect(adHoc.body.data.target.rank).toEqual(expect.any(Number));
  });
});
