import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import type { Context } from './context.js';
import { costs, type CostArgs } from './cost.js';
import { badUserInput } from './input-errors.js';

/** The types `node` and `nodes` can fetch. */
const NODE_TYPES = new Set(['Target', 'ReferringDomain', 'Intersection']);

/** Relay's usual base64("Type:id"), spelt out so that a malformed ID is a BAD_USER_INPUT like any bad argument. */
export function encodeGlobalID(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${String(id)}`).toString('base64');
}

/**
 * Decodes a global ID, refusing (BAD_USER_INPUT) one that is not canonical base64 of "Type:id" with a node type.
 * The one decoder: the relay plugin resolves `node`/`nodes` with it, and the budget estimator costs IDs with it.
 */
export function decodeGlobalID(globalID: string): { typename: string; id: string } {
  const decoded = Buffer.from(globalID, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const typename = decoded.slice(0, colon);
  if (colon <= 0 || !NODE_TYPES.has(typename) || Buffer.from(decoded).toString('base64') !== globalID) {
    throw badUserInput(
      'id',
      globalID,
      'an ID returned by the id field of a Target, ReferringDomain or Intersection',
      'is not a valid global ID',
    );
  }
  return { typename, id: decoded.slice(colon + 1) };
}

/** The one schema builder. It defines no types: they live in `src/graphql/schema/`, one file per type. */
export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    Date: { Input: string; Output: string };
    // Output: a Date, or the ISO string it serialises to (upstreamDateReader prepares those once per upstream answer).
    DateTime: { Input: Date; Output: Date | string };
    SafeInt: { Input: number; Output: number };
  };
  Connection: { totalCount: number };
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
  DefaultFieldNullability: false;
}>({
  plugins: [RelayPlugin],
  // Fields are non-null unless they say otherwise: the ones that can fail or lack data upstream do.
  defaultFieldNullability: false,
  relay: {
    cursorType: 'String',
    encodeGlobalID,
    decodeGlobalID,
    clientMutationId: 'omit',
    nodesOnConnection: { description: 'The page of items, without cursors.' },
    nodeQueryOptions: {
      description:
        'Fetches an object by its global ID; null when it no longer exists. Costs what fetching it costs: no call for a Target, one for the others.',
      args: { id: { description: 'A global ID returned by an `id` field.' } },
      // Each ID costs what loading its type costs (the type's `load` declaration); an ID refused here costs nothing.
      extensions: costs({ ids: { list: (args: CostArgs) => [args.id], decode: decodeGlobalID } }),
    },
    nodesQueryOptions: {
      description: 'Fetches objects by their global IDs, in the order given.',
      args: { ids: { description: 'Global IDs returned by `id` fields.' } },
      extensions: costs({
        ids: { list: (args: CostArgs) => (Array.isArray(args.ids) ? (args.ids as unknown[]) : []), decode: decodeGlobalID },
      }),
    },
    nodeTypeOptions: { description: 'An object with a global ID that `node` and `nodes` can fetch again.' },
    pageInfoTypeOptions: { description: 'Where a page sits in its connection.' },
    idFieldOptions: { description: 'A global ID: opaque, stable, and accepted by `node` and `nodes`.' },
    cursorFieldOptions: { description: 'An opaque cursor for `after` and `before`, valid only with the same arguments.' },
    nodeFieldOptions: { nullable: false, description: 'The item at the end of the edge.' },
    edgesFieldOptions: { nullable: { list: false, items: false }, description: 'The page of items, each with its cursor.' },
    pageInfoFieldOptions: { description: 'Where this page sits in the whole list.' },
    hasNextPageFieldOptions: { description: 'Whether items follow this page (from the upstream total, no extra row fetched).' },
    hasPreviousPageFieldOptions: { description: 'Whether items precede this page.' },
    startCursorFieldOptions: { description: 'The cursor of the first item of the page; null when the page is empty.' },
    endCursorFieldOptions: { description: 'The cursor of the last item of the page; null when the page is empty.' },
    firstArgOptions: { description: 'Page size counting forward from the start or from `after`: 0–1000, default 25.' },
    lastArgOptions: { description: 'Page size counting back from the end or from `before`: 0–1000.' },
    afterArgOptions: { description: 'Return items after this cursor.' },
    beforeArgOptions: { description: 'Return items before this cursor.' },
  },
});
