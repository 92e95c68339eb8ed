import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

/**
 * The whole client: `fetch`, a typed document in, its typed result out. No GraphQL client library is needed.
 *
 * By default it sends the document's text, which any server takes. With `sendDocumentIds: true` it sends the
 * document's hash as `documentId` instead, which is what a server with the manifest (TRUSTED_DOCUMENTS) takes, and
 * the only thing a server enforcing it (TRUSTED_DOCUMENTS_ONLY) takes: a production build sends ids.
 */

/** A document as the client preset generates it with `persistedDocuments`: the hash rides along in `__meta__`. */
type PersistedDocument<Result, Variables> = TypedDocumentNode<Result, Variables> & { __meta__?: { hash?: string } };

/** The id the server knows a document by: its hash, as in src/gql/persisted-documents.json. */
export function documentId(document: { __meta__?: { hash?: string } } | object): string | undefined {
  return (document as { __meta__?: { hash?: string } }).__meta__?.hash;
}

export interface GraphQLErrorBody {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/** What the server answered: `data` typed by the document, and the errors and extensions as sent. */
export interface Answer<Result> {
  status: number;
  data?: Result | null;
  errors?: GraphQLErrorBody[];
  extensions?: Record<string, unknown>;
}

export interface ClientOptions {
  /** The endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** Sent as `Authorization: Bearer …` when the server has API_KEYS. */
  apiKey?: string;
  /** Send the hash (`documentId`) instead of the text. Default false. */
  sendDocumentIds?: boolean;
}

export function createClient(options: ClientOptions) {
  return async function execute<Result, Variables>(
    document: PersistedDocument<Result, Variables>,
    ...[variables]: Variables extends Record<string, never> ? [] | [Variables] : [Variables]
  ): Promise<Answer<Result>> {
    const hash = documentId(document);
    if (options.sendDocumentIds && !hash) throw new Error('this document has no hash: run codegen with persistedDocuments');
    const body = options.sendDocumentIds && hash ? { documentId: hash, variables } : { query: print(document), variables };
    const response = await fetch(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as Omit<Answer<Result>, 'status'>;
    return { status: response.status, ...answer };
  };
}
