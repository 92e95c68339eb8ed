import { RE2JS } from 're2js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REGEX_MAX_PROGRAM_SIZE, regexProblem, regexProgramSize } from '../../src/dataforseo/filter-language.js';
import { useMockUpstreamApp } from '../helpers/app.js';

/**
 * Regular expressions in filters are compiled (RE2JS) to refuse, for free, what the upstream would refuse. Compiling
 * expands counted repetitions, so a short pattern can hold the event loop for most of a second: patterns that expand
 * too far are refused without compiling, a repeated pattern is compiled once, and new patterns get a bounded share
 * of the event loop, however many one request carries. The strict upstream double fails on any call.
 */
const env = useMockUpstreamApp();
afterEach(() => vi.restoreAllMocks());
const targetId = (pattern: string) =>
  Buffer.from(`Target:${JSON.stringify(['a.com', { backlinks_filters: ['url_from', 'regex', pattern] }])}`).toString('base64');

describe('the size of a regex program', () => {
  it.each([
    ['a{1,1000}', 1000],
    ['(a{1,30}){1,30}', 900],
    ['a{2}b', 3],
    ['[a{5}]{3}', 3],
    ['\\{5\\}', 3],
    ['x{,5}', 5],
    ['^https?://[a-z]+\\.com/.*$', 17],
  ])('%s expands to %i', (pattern, size) => {
    expect(regexProgramSize(pattern)).toBe(size);
  });

  it('a pattern that expands too far is refused without being compiled', () => {
    const compile = vi.spyOn(RE2JS, 'compile');
    expect(regexProblem('a{1,1000}'.repeat(111))).toMatch(/expand/);
    expect(regexProblem(`(a{1,${REGEX_MAX_PROGRAM_SIZE}}){2}`)).toMatch(/expand/);
    expect(compile).not.toHaveBeenCalled();
  });
});

describe('regex filters cannot stall the server', () => {
  it('the attack of issue 10’s review (a{1,1000} × 111, 8 conditions, 2 fields): refused, 0 calls', async () => {
    const r = 'a{1,1000}'.repeat(111);
    const conditions = Array.from({ length: 4 }, () => `{ domain: { regex: $r, notRegex: $r } }`).join(' ');
    const field = (alias: string) => `${alias}: referringDomains(first: 1, filter: { and: [${conditions}] }) { totalCount }`;
    const { body } = await env.app.execute(`query($r: String) { target(target: "regex.com") { ${field('x0')} ${field('x1')} } }`, { r });
    expect(body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toMatch(/expand/);
  });

  it('700 distinct patterns at the size limit in one request are not all compiled: the event loop keeps its share', async () => {
    const compile = vi.spyOn(RE2JS, 'compile');
    const ids = Array.from({ length: 700 }, (_, i) => targetId(`a{1,1000}b{1,990}c${String(i).padStart(4, '0')}`));
    expect(regexProgramSize(`a{1,1000}b{1,990}c0000`)).toBeLessThanOrEqual(REGEX_MAX_PROGRAM_SIZE);
    const { status, body } = await env.app.execute('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
    expect(status).toBeLessThan(500);
    // Without the compile budget every one of them is compiled (about 20 ms each: 14 s of a blocked event loop).
    expect(compile.mock.calls.length).toBeLessThan(ids.length);
    expect(body.errors ?? []).toEqual([]);
    expect(body.data.nodes.filter((n: unknown) => n === null).length).toBeGreaterThan(0);
  });
});
