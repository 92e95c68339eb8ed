import { graphql } from './gql/index.js';

/**
 * The operations this frontend sends, written where they are used, as the client preset expects. `npm run codegen`
 * turns each into a typed document (result and variables types) with its hash, and lists them in
 * src/gql/persisted-documents.json.
 */

/** A target's summary and its strongest referring domains: one summary call and one referring_domains call. */
export const TargetOverviewDocument = graphql(`
  query TargetOverview($target: String!, $first: Int = 3) {
    target(target: $target) {
      target
      rank
      backlinkCount
      firstSeen
      referringDomains(first: $first, orderBy: [{ field: BACKLINK_COUNT, direction: DESC }]) {
        totalCount
        nodes {
          domain
          backlinkCount
        }
      }
    }
  }
`);

/** Bulk figures of a list of prospects: one bulk call per figure, whatever the number of targets (up to 1000). */
export const ProspectRanksDocument = graphql(`
  query ProspectRanks($targets: [String!]!) {
    targets(targets: $targets) {
      target
      bulkMetrics {
        rank
        referringMainDomainCount
      }
    }
  }
`);
