/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query LinkGap($targets: [String!]!, $exclude: [String!], $filter: IntersectionFilter, $first: Int = 10) {\n  domainIntersection(\n    targets: $targets\n    excludeTargets: $exclude\n    filter: $filter\n    first: $first\n  ) {\n    totalCount\n    nodes {\n      id\n      domain\n      intersectionCount\n      links {\n        target {\n          target\n        }\n        rank\n        backlinkCount\n      }\n    }\n  }\n}": typeof types.LinkGapDocument,
    "query NodeById($id: ID!) {\n  node(id: $id) {\n    __typename\n    id\n    ... on ReferringDomain {\n      domain\n      linksTo: target {\n        target\n      }\n    }\n    ... on Target {\n      target\n      rank\n    }\n  }\n}": typeof types.NodeByIdDocument,
    "query Profile($target: String!, $first: Int = 5) {\n  target(target: $target) {\n    id\n    target\n    rank\n    backlinkCount\n    firstSeen\n    info {\n      country\n      platformTypes\n    }\n    breakdown {\n      tlds {\n        key\n        count\n      }\n    }\n    referringDomains(\n      first: $first\n      orderBy: [{field: BACKLINK_COUNT, direction: DESC}]\n    ) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        domain\n        backlinkCount\n        asTarget {\n          rank\n        }\n      }\n    }\n  }\n}": typeof types.ProfileDocument,
    "query Prospects($targets: [String!]!, $since: Date) {\n  targets(targets: $targets) {\n    target\n    bulkMetrics {\n      rank\n      referringMainDomainCount\n      newAndLost(since: $since) {\n        since\n        newBacklinkCount\n        lostBacklinkCount\n      }\n    }\n  }\n}": typeof types.ProspectsDocument,
};
const documents: Documents = {
    "query LinkGap($targets: [String!]!, $exclude: [String!], $filter: IntersectionFilter, $first: Int = 10) {\n  domainIntersection(\n    targets: $targets\n    excludeTargets: $exclude\n    filter: $filter\n    first: $first\n  ) {\n    totalCount\n    nodes {\n      id\n      domain\n      intersectionCount\n      links {\n        target {\n          target\n        }\n        rank\n        backlinkCount\n      }\n    }\n  }\n}": types.LinkGapDocument,
    "query NodeById($id: ID!) {\n  node(id: $id) {\n    __typename\n    id\n    ... on ReferringDomain {\n      domain\n      linksTo: target {\n        target\n      }\n    }\n    ... on Target {\n      target\n      rank\n    }\n  }\n}": types.NodeByIdDocument,
    "query Profile($target: String!, $first: Int = 5) {\n  target(target: $target) {\n    id\n    target\n    rank\n    backlinkCount\n    firstSeen\n    info {\n      country\n      platformTypes\n    }\n    breakdown {\n      tlds {\n        key\n        count\n      }\n    }\n    referringDomains(\n      first: $first\n      orderBy: [{field: BACKLINK_COUNT, direction: DESC}]\n    ) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        domain\n        backlinkCount\n        asTarget {\n          rank\n        }\n      }\n    }\n  }\n}": types.ProfileDocument,
    "query Prospects($targets: [String!]!, $since: Date) {\n  targets(targets: $targets) {\n    target\n    bulkMetrics {\n      rank\n      referringMainDomainCount\n      newAndLost(since: $since) {\n        since\n        newBacklinkCount\n        lostBacklinkCount\n      }\n    }\n  }\n}": types.ProspectsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query LinkGap($targets: [String!]!, $exclude: [String!], $filter: IntersectionFilter, $first: Int = 10) {\n  domainIntersection(\n    targets: $targets\n    excludeTargets: $exclude\n    filter: $filter\n    first: $first\n  ) {\n    totalCount\n    nodes {\n      id\n      domain\n      intersectionCount\n      links {\n        target {\n          target\n        }\n        rank\n        backlinkCount\n      }\n    }\n  }\n}"): (typeof documents)["query LinkGap($targets: [String!]!, $exclude: [String!], $filter: IntersectionFilter, $first: Int = 10) {\n  domainIntersection(\n    targets: $targets\n    excludeTargets: $exclude\n    filter: $filter\n    first: $first\n  ) {\n    totalCount\n    nodes {\n      id\n      domain\n      intersectionCount\n      links {\n        target {\n          target\n        }\n        rank\n        backlinkCount\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query NodeById($id: ID!) {\n  node(id: $id) {\n    __typename\n    id\n    ... on ReferringDomain {\n      domain\n      linksTo: target {\n        target\n      }\n    }\n    ... on Target {\n      target\n      rank\n    }\n  }\n}"): (typeof documents)["query NodeById($id: ID!) {\n  node(id: $id) {\n    __typename\n    id\n    ... on ReferringDomain {\n      domain\n      linksTo: target {\n        target\n      }\n    }\n    ... on Target {\n      target\n      rank\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Profile($target: String!, $first: Int = 5) {\n  target(target: $target) {\n    id\n    target\n    rank\n    backlinkCount\n    firstSeen\n    info {\n      country\n      platformTypes\n    }\n    breakdown {\n      tlds {\n        key\n        count\n      }\n    }\n    referringDomains(\n      first: $first\n      orderBy: [{field: BACKLINK_COUNT, direction: DESC}]\n    ) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        domain\n        backlinkCount\n        asTarget {\n          rank\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query Profile($target: String!, $first: Int = 5) {\n  target(target: $target) {\n    id\n    target\n    rank\n    backlinkCount\n    firstSeen\n    info {\n      country\n      platformTypes\n    }\n    breakdown {\n      tlds {\n        key\n        count\n      }\n    }\n    referringDomains(\n      first: $first\n      orderBy: [{field: BACKLINK_COUNT, direction: DESC}]\n    ) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        domain\n        backlinkCount\n        asTarget {\n          rank\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Prospects($targets: [String!]!, $since: Date) {\n  targets(targets: $targets) {\n    target\n    bulkMetrics {\n      rank\n      referringMainDomainCount\n      newAndLost(since: $since) {\n        since\n        newBacklinkCount\n        lostBacklinkCount\n      }\n    }\n  }\n}"): (typeof documents)["query Prospects($targets: [String!]!, $since: Date) {\n  targets(targets: $targets) {\n    target\n    bulkMetrics {\n      rank\n      referringMainDomainCount\n      newAndLost(since: $since) {\n        since\n        newBacklinkCount\n        lostBacklinkCount\n      }\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;