import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError, parse } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { requestError } from './body-limit.js';

/**
 * Trusted documents (persisted operations): the operations a frontend's build declared, by hash, as GraphQL Code
 * Generator's client preset writes them with `persistedDocuments: true` (persisted-documents.json, `{ hash: text }`).
 *
 * - `TRUSTED_DOCUMENTS=<path>` loads the manifest: a request may then name one of its documents by id instead of
 *   sending the text — `{"documentId": "<hash>"}` (POST body or GET parameter), or Apollo's
 *   `extensions.persistedQuery: {"version": 1, "sha256Hash": "<hash>"}`.
 * - `TRUSTED_DOCUMENTS_ONLY=true` also refuses every request that sends a query text, before it is parsed:
 *   `TRUSTED_DOCUMENT_REQUIRED`, naming the setting, and no upstream call. Off by default, so that GraphiQL (which
 *   sends text) keeps working in development and a deployment can load the manifest, move its clients to ids, and
 *   only then enforce.
 *
 * A text identical to a trusted document, sent without its id, is refused too when enforcing: the contract is the id,
 * and a text that matched only byte for byte would be accepted or refused on whitespace.
 *
 * A trusted document is run as any other operation once its text is found: document limits, the budget
 * (MAX_UPSTREAM_CALLS_PER_OPERATION, key caps) and the result bound apply to it; being trusted makes it known, not
 * free. Yoga's persisted-operations plugin does the lookup; this module loads the manifest and words the refusals.
 */

/** The loaded manifest, and whether other operations are refused. */
export interface TrustedDocumentsConfig {
  /** `TRUSTED_DOCUMENTS`: where the manifest was read from (for the operator; never sent to clients). */
  path: string;
  /** Document id (hash) → document text. */
  documents: ReadonlyMap<string, string>;
  /** `TRUSTED_DOCUMENTS_ONLY`: refuse operations sent as text. */
  only: boolean;
}

/** The longest document id taken: a SHA-512 hex digest with a `sha512:` prefix fits; anything longer is no id. */
export const DOCUMENT_ID_MAX_CHARS = 160;
const DOCUMENT_ID = /^[A-Za-z0-9:_.-]+$/;

/**
 * Reads a persisted-documents manifest: a JSON object of id → GraphQL document text, each id at most
 * DOCUMENT_ID_MAX_CHARS of `A–Z a–z 0–9 : _ . -`, each text a document that parses. Returns the documents, or the
 * problem (one line, for the configuration's error list).
 */
export function loadTrustedDocuments(path: string): { documents: Map<string, string> } | { problem: string } {
  const where = `TRUSTED_DOCUMENTS (${path})`;
  let raw: string;
  try {
    raw = readFileSync(resolve(path), 'utf8');
  } catch (error) {
    return { problem: `${where} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}` };
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(raw);
  } catch {
    return { problem: `${where} is not JSON; expected the client preset's persisted-documents.json ({"<hash>": "<document>"})` };
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    return { problem: `${where} must be a JSON object of "<hash>": "<document>", as the client preset writes it` };
  }
  const documents = new Map<string, string>();
  for (const [id, text] of Object.entries(manifest)) {
    const shown = JSON.stringify(id.slice(0, 80));
    if (id.length > DOCUMENT_ID_MAX_CHARS || !DOCUMENT_ID.test(id)) {
      return { problem: `${where}: the id ${shown} is not a hash (at most ${DOCUMENT_ID_MAX_CHARS} of A-Z a-z 0-9 : _ . -)` };
    }
    if (typeof text !== 'string') return { problem: `${where}: the document of ${shown} is not a string` };
    try {
      parse(text);
    } catch (error) {
      return { problem: `${where}: the document of ${shown} does not parse: ${(error as GraphQLError).message}` };
    }
    documents.set(id, text);
  }
  if (documents.size === 0) return { problem: `${where} lists no documents` };
  return { documents };
}

/** A GraphQL request error (400 under graphql-response+json, 200 under application/json), with its code. */
function refusal(code: string, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions, http: { status: 400, spec: true } } });
}

const ID_FORMS =
  'send {"documentId": "<hash>"} (POST body or GET parameter) or extensions.persistedQuery {"version": 1, "sha256Hash": "<hash>"}';

/**
 * The document id of a request, from `documentId` (body, or the GET query string, which Yoga's own parser does not
 * read) or Apollo's `extensions.persistedQuery`; null when it names none. A malformed id, or two ids that differ,
 * are refused here (BAD_REQUEST) and never quoted back.
 */
function extractDocumentId(params: GraphQLParams & { documentId?: unknown }, request: Request): string | null {
  const candidates: unknown[] = [];
  if (params.documentId !== undefined && params.documentId !== null) candidates.push(params.documentId);
  if (request.method === 'GET') {
    const fromUrl = new URL(request.url, 'http://localhost').searchParams.getAll('documentId');
    candidates.push(...fromUrl);
  }
  const extensions: unknown = params.extensions;
  // Yoga checks this after the plugins; the id is read from it first.
  if (extensions !== undefined && extensions !== null && (typeof extensions !== 'object' || Array.isArray(extensions))) {
    throw requestError(400, 'BAD_REQUEST', 'The extensions parameter must be an object.');
  }
  const persisted = (extensions as Record<string, unknown> | null | undefined)?.persistedQuery;
  if (persisted !== undefined && persisted !== null) {
    const apq = persisted as Record<string, unknown>;
    if (typeof persisted !== 'object' || Array.isArray(persisted) || apq.version !== 1 || typeof apq.sha256Hash !== 'string') {
      throw requestError(400, 'BAD_REQUEST', `extensions.persistedQuery must be {"version": 1, "sha256Hash": "<hash>"}.`);
    }
    candidates.push(apq.sha256Hash);
  }
  if (candidates.length === 0) return null;
  const [id] = candidates;
  if (typeof id !== 'string' || candidates.some((c) => typeof c !== 'string' || c === '')) {
    throw requestError(400, 'BAD_REQUEST', `A document id must be a non-empty string: ${ID_FORMS}.`);
  }
  if (candidates.some((c) => c !== id)) throw requestError(400, 'BAD_REQUEST', 'The request names more than one document id.');
  return id;
}

/** Yoga's persisted-operations plugin over the manifest, with coded refusals that name the settings. */
export function useTrustedDocuments(config: Pick<TrustedDocumentsConfig, 'documents' | 'only'>): Plugin {
  const { documents, only } = config;
  return usePersistedOperations({
    allowArbitraryOperations: !only,
    extractPersistedOperationId: (params, request) => extractDocumentId(params, request),
    // Ids are looked up, never parsed or echoed: an id that is too long cannot be in the manifest.
    getPersistedOperation: (id) => (id.length <= DOCUMENT_ID_MAX_CHARS ? (documents.get(id) ?? null) : null),
    customErrors: {
      persistedQueryOnly: () =>
        refusal(
          'TRUSTED_DOCUMENT_REQUIRED',
          `This server runs trusted documents only (TRUSTED_DOCUMENTS_ONLY): send the id of a document of its manifest, not a query text; ${ID_FORMS}.`,
          { setting: 'TRUSTED_DOCUMENTS_ONLY' },
        ),
      keyNotFound: () =>
        only
          ? refusal(
              'TRUSTED_DOCUMENT_REQUIRED',
              `This server runs trusted documents only (TRUSTED_DOCUMENTS_ONLY): the request names no document; ${ID_FORMS}.`,
              { setting: 'TRUSTED_DOCUMENTS_ONLY' },
            )
          : requestError(400, 'BAD_REQUEST', `Send a query, or the id of a trusted document: ${ID_FORMS}.`),
      notFound: () =>
        refusal(
          'TRUSTED_DOCUMENT_NOT_FOUND',
          'No trusted document has this id (TRUSTED_DOCUMENTS): the client was built with documents this server was not deployed with; regenerate and deploy the manifest.',
          { setting: 'TRUSTED_DOCUMENTS' },
        ),
    },
  });
}

/** Without a manifest: a request naming a document by id is told that this server has none, not "unexpected parameter". */
export function useNoTrustedDocuments(): Plugin {
  return {
    onParams({ params }) {
      if ((params as { documentId?: unknown }).documentId === undefined) return;
      throw refusal(
        'TRUSTED_DOCUMENT_NOT_FOUND',
        'This server loads no trusted documents (TRUSTED_DOCUMENTS is unset): send the query text, or deploy it with the manifest.',
        { setting: 'TRUSTED_DOCUMENTS' },
      );
    },
  };
}
