/**
 * The query GraphiQL opens with: a target, its summary, a page of referring domains with one hop to `asTarget`,
 * and an intersection. Kept runnable by a test against the sandbox; the README shows the same query.
 */
export const DEFAULT_QUERY = /* GraphQL */ `
  # Welcome to backlinks-graphql. Run with Ctrl-Enter.
  # Upstream calls cost about $0.02 each. This query makes:
  #   1 summary, 1 referring_domains, 1 domain_intersection,
  #   and 2 bulk calls (bulk_ranks, bulk_referring_domains)
  #   for every asTarget hop together, however many there are.
  query Overview {
    target(target: "backlinko.com") {
      target
      rank
      backlinkCount
      referringMainDomainCount
      firstSeen
      breakdown {
        countries {
          key
          count
        }
      }
      referringDomains(first: 5) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          domain
          rank
          backlinkCount
          firstSeen
          asTarget {
            bulkMetrics {
              rank
              referringMainDomainCount
            }
          }
        }
      }
      intersection(others: ["ahrefs.com"], first: 3) {
        totalCount
        nodes {
          domain
          intersectionCount
          links {
            target {
              target
            }
            backlinkCount
            rank
          }
        }
      }
    }
  }
`;
