import { createClient } from './client.js';
import { ProspectRanksDocument, TargetOverviewDocument } from './operations.js';

/**
 * Runs the example's operations against a running server and prints what a page would show:
 * `GRAPHQL_URL=http://localhost:4000/graphql npm start`; `SEND_DOCUMENT_IDS=true` sends the documents' ids instead
 * of their text (for a server with TRUSTED_DOCUMENTS); `API_KEY` when the server has API_KEYS. Exits 1 on any
 * GraphQL error.
 */
const execute = createClient({
  url: process.env.GRAPHQL_URL ?? 'http://localhost:4000/graphql',
  apiKey: process.env.API_KEY,
  sendDocumentIds: process.env.SEND_DOCUMENT_IDS === 'true',
});

const overview = await execute(TargetOverviewDocument, { target: 'backlinko.com', first: 3 });
const prospects = await execute(ProspectRanksDocument, { targets: ['ahrefs.com', 'moz.com'] });
const errors = [...(overview.errors ?? []), ...(prospects.errors ?? [])];
if (errors.length > 0) {
  process.stderr.write(`${JSON.stringify(errors)}\n`);
  process.exit(1);
}

// Typed all the way: `target` may be null (a field error), `rank` is a number or null, `domain` a string.
const target = overview.data?.target;
const lines = [
  `${target?.target}: rank ${target?.rank ?? '?'}, ${target?.backlinkCount ?? '?'} backlinks, first seen ${target?.firstSeen ?? '?'}`,
  ...(target?.referringDomains?.nodes ?? []).map((node) => `  from ${node.domain} (${node.backlinkCount ?? '?'} links)`),
  ...(prospects.data?.targets ?? []).map((t) => `${t.target}: rank ${t.bulkMetrics?.rank ?? '?'}`),
];
process.stdout.write(`${JSON.stringify({ lines, sandbox: overview.extensions?.sandbox !== undefined })}\n`);
