import { createHash } from 'node:crypto';
import { okEnvelope } from './mock-upstream.js';

/**
 * A bulk endpoint as the tests play it: every figure of every target is derived from a hash of the endpoint, the
 * task's parameters (rank_scale, date_from) and the target, so a test can say what the upstream answered for any
 * target without keeping a record, and a figure that lands on another target, another rank scale or another day
 * shows. Replies can be made hostile: items shuffled, some targets omitted, echoed in another spelling, items for
 * targets never asked, duplicates.
 */

export type BulkEndpointName =
  | 'bulk_ranks'
  | 'bulk_backlinks'
  | 'bulk_spam_score'
  | 'bulk_referring_domains'
  | 'bulk_new_lost_backlinks'
  | 'bulk_new_lost_referring_domains';

/** The item fields each endpoint answers, besides `target`. */
export const ITEM_FIELDS: Readonly<Record<BulkEndpointName, readonly string[]>> = {
  bulk_ranks: ['rank'],
  bulk_backlinks: ['backlinks'],
  bulk_spam_score: ['spam_score'],
  bulk_referring_domains: ['referring_domains', 'referring_domains_nofollow', 'referring_main_domains', 'referring_main_domains_nofollow'],
  bulk_new_lost_backlinks: ['new_backlinks', 'lost_backlinks'],
  bulk_new_lost_referring_domains: [
    'new_referring_domains',
    'lost_referring_domains',
    'new_referring_main_domains',
    'lost_referring_main_domains',
  ],
};

/** BulkMetrics fields: the endpoint and item field each reads. */
export const METRIC_FIELDS = {
  rank: ['bulk_ranks', 'rank'],
  backlinkCount: ['bulk_backlinks', 'backlinks'],
  spamScore: ['bulk_spam_score', 'spam_score'],
  referringDomainCount: ['bulk_referring_domains', 'referring_domains'],
  referringDomainNofollowCount: ['bulk_referring_domains', 'referring_domains_nofollow'],
  referringMainDomainCount: ['bulk_referring_domains', 'referring_main_domains'],
  referringMainDomainNofollowCount: ['bulk_referring_domains', 'referring_main_domains_nofollow'],
} as const satisfies Record<string, readonly [BulkEndpointName, string]>;

/** NewAndLost fields: the endpoint and item field each reads. */
export const NEW_LOST_FIELDS = {
  newBacklinkCount: ['bulk_new_lost_backlinks', 'new_backlinks'],
  lostBacklinkCount: ['bulk_new_lost_backlinks', 'lost_backlinks'],
  newReferringDomainCount: ['bulk_new_lost_referring_domains', 'new_referring_domains'],
  lostReferringDomainCount: ['bulk_new_lost_referring_domains', 'lost_referring_domains'],
  newReferringMainDomainCount: ['bulk_new_lost_referring_domains', 'new_referring_main_domains'],
  lostReferringMainDomainCount: ['bulk_new_lost_referring_domains', 'lost_referring_main_domains'],
} as const satisfies Record<string, readonly [BulkEndpointName, string]>;

export const BULK_ENDPOINTS = Object.keys(ITEM_FIELDS) as BulkEndpointName[];

export function isBulkEndpoint(endpoint: string): endpoint is BulkEndpointName {
  return Object.hasOwn(ITEM_FIELDS, endpoint);
}

function hash(...parts: unknown[]): number {
  return createHash('sha256').update(JSON.stringify(parts)).digest().readUInt32BE(0);
}

/** What a bulk call's task shares among its targets: everything but `targets`. */
export function paramsOf(task: Record<string, unknown>): Record<string, unknown> {
  const { targets: _targets, ...params } = task;
  return params;
}

/** The figure the double answers for `field` of `target` on `endpoint` with these parameters. */
export function figure(endpoint: BulkEndpointName, params: Record<string, unknown>, target: string, field: string): number {
  const h = hash(endpoint, params.rank_scale ?? null, params.date_from ?? null, target, field);
  if (field === 'rank') return params.rank_scale === 'one_hundred' ? h % 101 : h % 1001;
  if (field === 'spam_score') return h % 101;
  return h % 1_000_000;
}

/** A whole item as the double answers it for `target`, naming it `named`. */
export function item(endpoint: BulkEndpointName, params: Record<string, unknown>, target: string, named = target): Record<string, unknown> {
  const fields = Object.fromEntries(ITEM_FIELDS[endpoint].map((f) => [f, figure(endpoint, params, target, f)]));
  return endpoint === 'bulk_spam_score' ? { type: 'backlinks_bulk_spam_score', target: named, ...fields } : { target: named, ...fields };
}

export interface HostileOptions {
  /** Targets left out of the answer (their fields must come back null). */
  omit?: (target: string, endpoint: BulkEndpointName) => boolean;
  /** How the answer spells a target (another spelling of the same target). */
  spell?: (target: string, endpoint: BulkEndpointName) => string;
  /** Items for targets never asked, with figures of their own. */
  strangers?: readonly string[];
  /** Targets whose item comes twice, the second right after the first, with other figures: it must be ignored. */
  duplicate?: (target: string, endpoint: BulkEndpointName) => boolean;
  /** Shuffle the items with this seed; default: no shuffle. */
  shuffleSeed?: number;
}

/** A deterministic shuffle (Fisher–Yates over a hash stream). */
export function shuffled<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = hash('shuffle', seed, i) % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The reply function of a bulk endpoint for the strict double. */
export function bulkReply(endpoint: BulkEndpointName, options: HostileOptions = {}) {
  return (task: Record<string, unknown>) => {
    const targets = (task.targets ?? []) as string[];
    const params = paramsOf(task);
    // Groups keep a target's duplicate right after its first item, wherever the shuffle puts them.
    let groups: Record<string, unknown>[][] = [];
    for (const target of targets) {
      if (options.omit?.(target, endpoint)) continue;
      const group = [item(endpoint, params, target, options.spell?.(target, endpoint) ?? target)];
      if (options.duplicate?.(target, endpoint)) group.push({ ...item(endpoint, params, `twin:${target}`), target });
      groups.push(group);
    }
    for (const stranger of options.strangers ?? []) groups.push([item(endpoint, params, stranger)]);
    if (options.shuffleSeed !== undefined) groups = shuffled(groups, options.shuffleSeed);
    const items = groups.flat();
    return okEnvelope(endpoint, { total_count: items.length, items_count: items.length, items }, { rows: items.length });
  };
}
