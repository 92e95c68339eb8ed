import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { normalizeTarget } from '../../src/dataforseo/target.js';
import { METRIC_FIELDS, NEW_LOST_FIELDS, bulkReply, isBulkEndpoint, type BulkEndpointName } from './bulk-upstream.js';
import { okEnvelope, summaryResult } from './mock-upstream.js';

/**
 * The operations of the bulk property test (test/property/bulk.property.test.ts) and the upstream double's answers to
 * them, shared with the differential test of the executors (test/property/executor.property.test.ts).
 */

export const hash = (...parts: unknown[]) => createHash('sha256').update(JSON.stringify(parts)).digest().readUInt32BE(0);

/** What the double does to each target of a bulk answer, decided by the target alone (whatever its batch holds). */
export const omitted = (target: string, endpoint: BulkEndpointName) => hash('omit', endpoint, target) % 5 === 0;
export const SPELLINGS = [
  (t: string) => t,
  (t: string) => t.toUpperCase(),
  (t: string) => `www.${t}`,
  (t: string) => `${t}.`,
  (t: string) => `https://${t}`,
];
export const spelled = (target: string, endpoint: BulkEndpointName) =>
  target.startsWith('https://') ? target : (SPELLINGS[hash('spell', endpoint, target) % SPELLINGS.length] ?? SPELLINGS[0])!(target);
export const duplicated = (target: string, endpoint: BulkEndpointName) => hash('dup', endpoint, target) % 7 === 0;

/** The summary's rank, far from any bulk rank: a summary figure landing in bulkMetrics (or back) shows. */
export const summaryRank = (target: string) => 2000 + (hash('summary', target) % 1000);

/** Domains the pages name: some are also list targets, some come in other spellings, one in Unicode. */
export const PAGE_DOMAINS = [
  ...Array.from({ length: 12 }, (_, i) => `d${i}.com`),
  'example.com',
  'WWW.moz.com',
  'bücher.com',
  'Blog.Example.com',
  'ahrefs.com.',
];
export const pageDomains = (target: string, n: number) =>
  Array.from({ length: n }, (_, i) => PAGE_DOMAINS[(hash('page', target) + i * 5) % PAGE_DOMAINS.length] ?? 'd0.com');

export function replyFor(endpoint: string, task: Record<string, unknown>): unknown {
  if (isBulkEndpoint(endpoint)) {
    const seed = hash('shuffle', task.targets);
    return bulkReply(endpoint, {
      omit: omitted,
      spell: spelled,
      duplicate: duplicated,
      strangers: [`stranger${seed % 3}.com`, 'd0.org'],
      shuffleSeed: seed,
    })(task);
  }
  const total = 40;
  const offset = Number(task.offset ?? 0);
  const limit = Math.max(0, Math.min(Number(task.limit ?? 100), total - offset));
  if (endpoint === 'summary') return okEnvelope('summary', summaryResult(String(task.target), { rank: summaryRank(String(task.target)) }));
  if (endpoint === 'referring_domains') {
    // A ReferringDomain loaded by ID asks for its domain alone: ["domain", "=", d].
    const filters = task.filters as unknown[] | undefined;
    const names = filters?.[0] === 'domain' && filters[1] === '=' ? [String(filters[2])] : pageDomains(String(task.target), offset + limit);
    const items = names.slice(offset).map((domain) => ({ type: 'backlinks_referring_domain', domain, rank: 1, backlinks: 2 }));
    return okEnvelope('referring_domains', { target: task.target, total_count: total, items_count: items.length, items });
  }
  if (endpoint === 'domain_intersection') {
    const targets = task.targets as Record<string, string>;
    const items = pageDomains(JSON.stringify(targets), offset + limit)
      .slice(offset)
      .map((domain) => ({
        domain_intersection: Object.fromEntries(
          Object.keys(targets).map((k) => [k, { type: 'backlinks_domain_intersection', target: domain, rank: 1, backlinks: 1 }]),
        ),
        summary: { intersections_count: Object.keys(targets).length },
      }));
    return okEnvelope('domain_intersection', { targets, total_count: total, items_count: items.length, items });
  }
  return { unexpected: endpoint };
}

export const now = new Date();
export const day = (days: number) =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days)).toISOString().slice(0, 10);
/** `since` values: absent (one month back), and days in range. */
export const since = fc.constantFrom<string | null>(null, day(0), day(3), day(40), day(200), day(3));

export const SPELLED_TARGETS = [
  'example.com',
  'WWW.Example.COM',
  'https://example.com',
  'example.com.',
  'moz.com',
  'HTTPS://WWW.MOZ.COM',
  'bücher.com',
  'xn--bcher-kva.com',
  'blog.example.com',
  'ahrefs.com',
  'x.co.uk',
  'd3.com',
  'D4.COM',
  'https://example.com/blog/',
];
export const target = fc.constantFrom(...SPELLED_TARGETS);

export const OPTIONS = [
  '',
  'options: { rankScale: ONE_HUNDRED }',
  'options: { rankScale: ONE_THOUSAND }',
  'options: { rankScale: ONE_HUNDRED, breakdownLimit: 3 }',
];
export const options = fc.constantFrom(...OPTIONS.map((_, i) => i));

/** Named fragments; an operation defines those it spreads. */
export const FRAGMENTS: Record<string, string> = {
  BM: 'fragment BM on BulkMetrics { rank referringMainDomainCount }',
  NL: 'fragment NL on NewAndLost { since lostBacklinkCount newReferringMainDomainCount }',
  TB: 'fragment TB on Target { target bulkMetrics { spamScore backlinkCount } }',
};
export const spreads = (s: string) => [...s.matchAll(/\.\.\.(BM|NL|TB)\b/g)].map((m) => m[1] as string);

export const newAndLost = fc
  .tuple(since, fc.subarray(Object.keys(NEW_LOST_FIELDS), { minLength: 1 }), fc.constantFrom('plain', 'inline', 'named'))
  .map(([s, fields, how]) => {
    const args = s === null ? '' : `(since: "${s}")`;
    const body = how === 'plain' ? fields.join(' ') : how === 'inline' ? `... on NewAndLost { ${fields.join(' ')} }` : `${fields[0]} ...NL`;
    return (alias: string) => `${alias}: newAndLost${args} { since ${body} }`;
  });

export const bulkMetrics = fc
  .tuple(fc.subarray(Object.keys(METRIC_FIELDS)), fc.array(newAndLost, { maxLength: 2 }), fc.constantFrom('plain', 'inline', 'named'))
  .filter(([fields, nl]) => fields.length + nl.length > 0)
  .map(([fields, nl, how]) => {
    const figures =
      how === 'named' ? [...fields, '...BM'] : how === 'inline' && fields.length ? [`... on BulkMetrics { ${fields.join(' ')} }`] : fields;
    return `bulkMetrics { ${[...figures, ...nl.map((f, i) => f(`n${i}`))].join(' ')} }`;
  });

export const SUMMARY_FIELDS = ['rank', 'backlinkCount', 'referringDomainCount', 'info { server }'];

export const { targetSel } = fc.letrec<{ targetSel: string }>((tie) => ({
  targetSel: fc
    .tuple(
      fc.subarray(SUMMARY_FIELDS),
      fc.option(bulkMetrics, { nil: '', freq: 4 }),
      fc.boolean().map((b) => (b ? '...TB' : '')),
      fc.option(
        fc
          .tuple(fc.integer({ min: 0, max: 6 }), fc.option(tie('targetSel'), { nil: undefined, depthSize: 'small' }))
          .map(([n, sub]) => `rd: referringDomains(first: ${n}) { nodes { domain asTarget { ${sub ?? 'target bulkMetrics { rank }'} } } }`),
        { nil: '', freq: 3 },
      ),
    )
    .map(([summary, bulk, tb, rd]) => ['target', ...summary, bulk, tb, rd].filter(Boolean).join(' ')),
}));

/** The options of OPTIONS as a global ID carries them (upstream names, defaults left out). */
export const COMPACT_OPTIONS = [{}, { rank_scale: 'one_hundred' }, {}, { rank_scale: 'one_hundred', internal_list_limit: 3 }];
export const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A root field, its alias carrying the option set it counts with (asTargets inherit it). */
export const rootField = fc.oneof(
  fc.tuple(target, options, targetSel).map(
    ([t, o, sel]) =>
      (alias: string) =>
        `${alias}_o${o}: target(target: "${t}"${OPTIONS[o] ? `, ${OPTIONS[o]}` : ''}) { ${sel} }`,
  ),
  fc.tuple(fc.array(target, { minLength: 1, maxLength: 12 }), options, targetSel).map(
    ([ts, o, sel]) =>
      (alias: string) =>
        `${alias}_o${o}: targets(targets: ${JSON.stringify(ts)}${OPTIONS[o] ? `, ${OPTIONS[o]}` : ''}) { ${sel} }`,
  ),
  // Objects loaded by ID: Targets (no call) and ReferringDomains (one call each), whose asTargets join the batch.
  fc
    .tuple(
      fc.array(fc.tuple(fc.boolean(), fc.constantFrom('example.com', 'moz.com', 'd5.com', 'bücher.com', 'https://example.com/blog/')), {
        minLength: 1,
        maxLength: 4,
      }),
      options,
      targetSel,
    )
    .map(([ids, o, sel]) => (alias: string) => {
      const encoded = ids.map(([isTarget, t]) =>
        isTarget
          ? b64(`Target:${JSON.stringify([normalizeTarget(t).value, COMPACT_OPTIONS[o]])}`)
          : b64(`ReferringDomain:${JSON.stringify(['x.com', COMPACT_OPTIONS[o], normalizeTarget(t).value])}`),
      );
      return `${alias}_o${o}: nodes(ids: ${JSON.stringify(encoded)}) { ... on Target { ${sel} } ... on ReferringDomain { domain asTarget { ${sel} } } }`;
    }),
  fc.tuple(fc.integer({ min: 0, max: 6 }), fc.option(bulkMetrics, { nil: 'bulkMetrics { rank spamScore }' })).map(
    ([n, bm]) =>
      (alias: string) =>
        `${alias}_o0: domainIntersection(targets: ["example.com", "moz.com"], first: ${n}) { nodes { domain asTarget { target ${bm} } } }`,
  ),
);

/**
 * Occasionally two lists of up to 1000 that overlap, long enough together to cross a 1000-target chunk, given as
 * variables (made in the property from these few numbers, so that a counterexample stays readable).
 */
export const bigLists = fc.option(
  fc.record({
    a: fc.integer({ min: 400, max: 1000 }),
    bStart: fc.integer({ min: 0, max: 600 }),
    b: fc.integer({ min: 1, max: 600 }),
    o: options,
  }),
  { nil: undefined, freq: 6 },
);
export const range = (start: number, n: number) => Array.from({ length: n }, (_, i) => `big${start + i}.example`);

export const operation = fc.tuple(fc.array(rootField, { minLength: 1, maxLength: 4 }), bigLists).map(([fields, big]) => {
  const roots = fields.map((f, i) => f(`f${i}`));
  if (big) {
    const opts = OPTIONS[big.o] ? `, ${OPTIONS[big.o]}` : '';
    roots.push(`bigA_o${big.o}: targets(targets: $bigA${opts}) { target bulkMetrics { rank backlinkCount } }`);
    roots.push(`bigB_o${big.o}: targets(targets: $bigB${opts}) { target bulkMetrics { rank } }`);
  }
  const body = roots.join('\n');
  const used = new Set(spreads(body));
  const head = big ? 'query($bigA: [String!]!, $bigB: [String!]!)' : 'query';
  return { query: `${head} {\n${body}\n}\n${[...used].map((n) => FRAGMENTS[n]).join('\n')}`, big };
});

/** The variables of an operation with big lists. */
export const bulkVariables = (big: { a: number; bStart: number; b: number } | undefined) =>
  big ? { bigA: range(0, big.a), bigB: range(big.bStart, big.b) } : undefined;
