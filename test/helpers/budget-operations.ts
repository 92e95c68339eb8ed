import fc from 'fast-check';

/**
 * The operations of the budget property test (test/wallet/budget.property.test.ts): schema-shaped ones, and hostile ones
 * with fragments, directives and variables; shared with the differential test of the executors
 * (test/property/executor.property.test.ts).
 */

export const target = fc.constantFrom('backlinko.com', 'ahrefs.com', 'moz.com', 'explodingtopics.com', 'https://example.com/blog/');
export const size = fc.integer({ min: 0, max: 4 });
export const pageArgs = fc.oneof(
  size.map((n) => `first: ${n}`),
  size.map((n) => `last: ${n}`),
);
/** Pages that fan out stay small; others may use the default size (25). */
export const anyPageArgs = fc.oneof(pageArgs, fc.constant(''));

export const { targetSel } = fc.letrec<{ targetSel: string }>((tie) => ({
  targetSel: fc
    .tuple(
      fc.subarray(['rank', 'backlinkCount', 'info { server }', 'target', 'id'], { minLength: 1 }),
      fc.option(
        fc
          .tuple(
            anyPageArgs,
            fc.subarray([
              'totalCount',
              'pageInfo { hasNextPage }',
              'nodes { domain }',
              'nodes { target { rank } }',
              'edges { node { domain } }',
            ]),
          )
          .map(([args, sel]) => `rd: referringDomains${args ? `(${args})` : ''} { totalCount ${sel.join(' ')} }`),
        { nil: '' },
      ),
      fc.option(
        fc
          .tuple(pageArgs, fc.option(tie('targetSel'), { nil: undefined, depthSize: 'small' }))
          .map(([args, sub]) => `hop: referringDomains${args ? `(${args})` : ''} { nodes { asTarget { ${sub ?? 'rank'} } } }`),
        { nil: '' },
      ),
      fc.option(
        fc
          .tuple(
            target,
            size,
            fc.subarray(['domain', 'intersectionCount', 'links { target { rank } }', 'links { rank }', 'asTarget { rank }'], {
              minLength: 1,
            }),
          )
          .map(
            ([other, n, sel]) =>
              `ix: intersection(others: ["${other === 'moz.com' ? 'semrush.com' : 'moz.com'}"], first: ${n}) { nodes { ${sel.join(' ')} } }`,
          ),
        { nil: '' },
      ),
    )
    .map(([fields, rd, hop, ix]) => [...fields, rd, hop, ix].filter(Boolean).join(' ')),
}));

export const nodeId = fc.oneof(
  target.map((t) => Buffer.from(`Target:${JSON.stringify([t.startsWith('http') ? t : t, {}])}`).toString('base64')),
  fc
    .tuple(target, fc.constantFrom('deltagroveblog.com', 'nowhere.com'))
    .map(([t, d]) => Buffer.from(`ReferringDomain:${JSON.stringify([t, {}, d])}`).toString('base64')),
);

export const rootField = fc.oneof(
  fc.tuple(target, targetSel).map(([t, sel]) => `target(target: "${t}") { ${sel} }`),
  fc
    .tuple(fc.uniqueArray(target, { minLength: 1, maxLength: 3 }), targetSel)
    .map(([ts, sel]) => `targets(targets: ${JSON.stringify(ts)}) { ${sel} }`),
  fc
    .tuple(
      fc.uniqueArray(target, { minLength: 2, maxLength: 3 }),
      size,
      fc.constantFrom('domain', 'links { target { rank } }', 'asTarget { rank backlinkCount }'),
    )
    .map(([ts, n, sel]) => `domainIntersection(targets: ${JSON.stringify(ts)}, first: ${n}) { totalCount nodes { ${sel} } }`),
  fc
    .tuple(nodeId, targetSel)
    .map(([id, sel]) => `node(id: "${id}") { id ... on Target { ${sel} } ... on ReferringDomain { domain asTarget { rank } } }`),
);

export const operation = fc
  .array(rootField, { minLength: 1, maxLength: 3 })
  .map((fields) => `{ ${fields.map((f, i) => `f${i}: ${f}`).join('\n')} }`);

/**
 * Operations as a hostile client writes them: named fragments spread several times (from each other, never in a
 * cycle), inline fragments with and without a type condition, @skip/@include on fields, spreads and inline
 * fragments with literal and variable conditions, variables that are null, missing or defaulted (a null over a
 * default makes an argument or a condition impossible), aliases of equal fields.
 */
export const b64 = (s: string) => Buffer.from(s).toString('base64');
export const condition = fc.constantFrom('true', 'false', '$b1', '$b2');
export const directive = fc.option(
  fc.tuple(fc.constantFrom('skip', 'include'), condition).map(([d, c]) => ` @${d}(if: ${c})`),
  { nil: '', freq: 2 },
);
export const decorate = (sel: fc.Arbitrary<string>) =>
  fc
    .tuple(sel, directive, fc.constantFrom('plain', 'inline', 'typed', 'profile'))
    .map(([s, d, how]) =>
      how === 'plain'
        ? s
        : how === 'inline'
          ? `...${d} { ${s} }`
          : how === 'typed'
            ? `... on Target${d} { ${s} }`
            : `... on LinkProfile${d} { rank }`,
    );
export const hostileTargetSel = fc
  .array(
    fc.oneof(
      decorate(targetSel),
      fc
        .tuple(directive, fc.constantFrom('rank', 'backlinkCount', 'info { country }'))
        .map(([d, f]) => `x${f.length}: ${f.split(' ')[0]}${d}${f.includes('{') ? ' { country }' : ''}`),
      fc.tuple(fc.integer({ min: 0, max: 2 }), directive).map(([i, d]) => `...T${i}${d}`),
      fc.constant('hv: referringDomains(first: $n) { nodes { asTarget { rank } } }'),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((parts) => parts.join(' '));
export const fragmentBodies = fc.tuple(
  targetSel,
  fc.tuple(targetSel, fc.constantFrom('', '...T0', '...T0 ...T0')),
  fc.tuple(targetSel, fc.constantFrom('', '...T1 ...T1', '...T0 ...T1 ...T1')),
);
export const hostileRoot = fc.oneof(
  fc.tuple(target, directive, hostileTargetSel).map(([t, d, sel]) => `target(target: "${t}")${d} { ${sel} }`),
  fc.tuple(directive, hostileTargetSel).map(([d, sel]) => `target(target: $t)${d} { ${sel} }`),
  fc
    .tuple(fc.uniqueArray(target, { minLength: 1, maxLength: 3 }), hostileTargetSel)
    .map(([ts, sel]) => `targets(targets: ${JSON.stringify(ts)}) { ${sel} }`),
  fc
    .tuple(fc.uniqueArray(target, { minLength: 2, maxLength: 3 }), fc.constantFrom('1', '2', '3', '0', '9', '1.target'))
    .map(
      ([ts, n]) =>
        `node(id: "${b64(`Intersection:${JSON.stringify([ts, [], 'all', {}, 'deltagroveblog.com', n])}`)}") { id ... on Intersection { links { target { rank } } asTarget { rank } } }`,
    ),
  rootField,
);
export const hostileOperation = fc
  .tuple(fc.array(hostileRoot, { minLength: 1, maxLength: 3 }), fragmentBodies, fc.boolean(), directive)
  .map(([fields, [t0, [t1, s1], [t2, s2]], repeat, d]) => {
    const roots = fields.map((f, i) => `f${i}: ${f}`);
    // Every fragment and variable is used somewhere, as validation requires.
    roots.push(
      `uses: target(target: "moz.com")${d} { ...T0 ...T1 ...T2 rank @skip(if: $b1) rank @include(if: $b2) hv: referringDomains(first: $n) { totalCount } }`,
    );
    roots.push(`ut: target(target: $t) { target }`);
    if (repeat) roots.push(roots[0] ?? '');
    const fragments = [`fragment T0 on Target { ${t0} }`, `fragment T1 on Target { ${t1} ${s1} }`, `fragment T2 on Target { ${t2} ${s2} }`];
    const document = `query Hostile($b1: Boolean!, $b2: Boolean = true, $t: String = "ahrefs.com", $n: Int = 2) { ${roots.join('\n')} }\n${fragments.join('\n')}`;
    // Inner aliases made unique, so that fields merged from several fragments never conflict (a validation error).
    let k = 0;
    return document.replace(/\b(rd|hop|ix|hv|x\d+):/g, () => `a${(k += 1)}:`);
  });
export const hostileVariables = fc.record(
  {
    b1: fc.boolean(),
    b2: fc.constantFrom(true, false, null),
    t: fc.constantFrom('moz.com', 'ahrefs.com', null),
    n: fc.constantFrom(0, 1, 3, null),
  },
  { requiredKeys: ['b1'] },
);
