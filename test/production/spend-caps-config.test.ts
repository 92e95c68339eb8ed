import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/ops/config.js';
import { spendAccountOf } from '../../src/ops/spend-ledger.js';

/** API_KEYS with spend settings: `<key> name=<name> cap=<USD per day>`, comma-separated, as before without them. */
const A = 'key-aaaaaaaaaaaaaaaa';
const B = 'key-bbbbbbbbbbbbbbbb';

function problems(env: Record<string, string>): string {
  try {
    readConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('no problem found');
}

describe('API_KEYS with names and daily caps', () => {
  it('keeps plain keys as they were: strings, no name, no cap', () => {
    expect(readConfig({ API_KEYS: ` ${A} ,${B}` }).security.apiKeys).toEqual([A, B]);
  });

  it('reads name= and cap= after a key, in any order, with any spacing', () => {
    const keys = readConfig({ API_KEYS: `${A} name=frontend cap=5,  ${B}   cap=0.10\tname=acme.eu_1 , key-cccccccccccccccc name=ops` })
      .security.apiKeys;
    expect(keys).toEqual([
      { key: A, name: 'frontend', dailyCapUsd: 5 },
      { key: B, name: 'acme.eu_1', dailyCapUsd: 0.1 },
      { key: 'key-cccccccccccccccc', name: 'ops' },
    ]);
  });

  it('API_KEY_DAILY_CAP_USD caps the keys without their own cap; cap=none exempts one', () => {
    const keys = readConfig({ API_KEYS: `${A}, ${B} cap=none, key-cccccccccccccccc cap=2`, API_KEY_DAILY_CAP_USD: '0.5' }).security.apiKeys;
    expect(keys).toEqual([{ key: A, dailyCapUsd: 0.5 }, B, { key: 'key-cccccccccccccccc', dailyCapUsd: 2 }]);
  });

  it.each([
    [{ API_KEYS: `${A} cap=-1` }, /key #1: cap= must be an amount in USD/],
    [{ API_KEYS: `${A} cap=1e3` }, /key #1: cap= must be an amount in USD/],
    [{ API_KEYS: `${A} cap=$5` }, /key #1: cap= must be an amount in USD/],
    [{ API_KEYS: `${A} cap=10000000` }, /key #1: cap= must be an amount in USD/],
    [{ API_KEYS: `${A}, ${B} name=a/b` }, /key #2: name= must be 1–64 letters/],
    [{ API_KEYS: `${A} name=x name=y` }, /key #1: after the key, only one name=… and one cap=…/],
    [{ API_KEYS: `${A} colour=red` }, /key #1: after the key, only one name=… and one cap=…/],
    [{ API_KEYS: `${A}, ${A} name=again` }, /key #2 repeats key #1/],
    [{ API_KEYS: `${A} name=acme cap=1, ${B} name=acme cap=2` }, /key #2: keys named "acme" share one ledger and must have the same cap/],
    [{ API_KEYS: A, API_KEY_DAILY_CAP_USD: 'lots' }, /API_KEY_DAILY_CAP_USD must be an amount in USD/],
  ])('refuses %j', (env, message) => {
    expect(problems(env)).toMatch(message);
  });

  it('never quotes a key, even when what follows it is no setting (it may be the rest of a key with a space in it)', () => {
    const message = problems({ API_KEYS: `${A} secret-half-of-a-key, tiny-secret name=x, ${B} ${B}` });
    expect(message).toMatch(/key #1: after the key/);
    expect(message).toMatch(/key #2 is shorter than 16 characters/);
    expect(message).not.toContain('secret-half');
    expect(message).not.toContain(A);
    expect(message).not.toContain(B);
    expect(message).not.toContain('tiny-secret');
  });

  it('names ledgers by name= or by a truncated hash, never by the key', () => {
    expect(spendAccountOf({ key: A, name: 'acme', dailyCapUsd: 1 })).toEqual({ id: 'n:acme', name: 'acme', dailyCapUsd: 1 });
    const unnamed = spendAccountOf(A);
    expect(unnamed).toEqual({ id: expect.stringMatching(/^h:[0-9a-f]{16}$/), name: null, dailyCapUsd: null });
    expect(unnamed.id).not.toContain(A);
    expect(spendAccountOf(B).id).not.toBe(unnamed.id);
  });
});
