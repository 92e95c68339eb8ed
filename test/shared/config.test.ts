import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/ops/config.js';

/** The settings of shared mode, read and validated with the rest; the Redis URL (and its password) never quoted. */

const DATAFORSEO = { DATAFORSEO_LOGIN: 'login', DATAFORSEO_PASSWORD: 'password' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    readConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('shared-mode settings', () => {
  it('without REDIS_URL everything stays in one process', () => {
    expect(readConfig({}).redis).toBeUndefined();
  });

  it('reads REDIS_URL, UPSTREAM_REPLICAS and REDIS_KEY_PREFIX', () => {
    expect(readConfig({ REDIS_URL: 'redis://cache:6379/2', UPSTREAM_REPLICAS: '4', REDIS_KEY_PREFIX: 'acct-1:' }).redis).toEqual({
      url: 'redis://cache:6379/2',
      replicas: 4,
      keyPrefix: 'acct-1:',
    });
    expect(readConfig({ REDIS_URL: 'rediss://cache:6380', UPSTREAM_REPLICAS: '2' }).redis?.keyPrefix).toBe('backlinks:');
  });

  it('requires UPSTREAM_REPLICAS with REDIS_URL: the local share of the limits depends on it', () => {
    expect(problemsOf({ REDIS_URL: 'redis://cache:6379' })).toEqual([
      expect.stringMatching(/^UPSTREAM_REPLICAS is required with REDIS_URL/),
    ]);
    expect(problemsOf({ UPSTREAM_REPLICAS: '3' })).toEqual([expect.stringMatching(/only used with REDIS_URL/)]);
    expect(problemsOf({ REDIS_URL: 'redis://cache:6379', UPSTREAM_REPLICAS: '0' })).toEqual([
      expect.stringMatching(/UPSTREAM_REPLICAS must be an integer from 1/),
    ]);
  });

  it('refuses a bad REDIS_URL without quoting it (it may hold a password)', () => {
    const secret = 's3cret-redis-pass';
    for (const url of [`http://user:${secret}@cache:6379`, `not a url ${secret}`]) {
      const problems = problemsOf({ REDIS_URL: url, UPSTREAM_REPLICAS: '2' });
      expect(problems).toEqual([expect.stringMatching(/^REDIS_URL must/)]);
      expect(problems.join('\n')).not.toContain(secret);
    }
  });

  it('defaults DataForSEO to its per-minute limit since October 2026 (10 000), still configurable; AIsa keeps its own', () => {
    expect(readConfig(DATAFORSEO).limits).toMatchObject({ maxConcurrency: 30, maxPerMinute: 10_000, windowMs: 60_000 });
    expect(readConfig({ ...DATAFORSEO, UPSTREAM_MAX_PER_MINUTE: '2000' }).limits.maxPerMinute).toBe(2000);
    expect(readConfig({ AISA_API_KEY: 'k' }).limits).toMatchObject({ maxConcurrency: 5, maxPerMinute: 60 });
    expect(readConfig({ UPSTREAM_RATE_WINDOW_MS: '3000' }).limits.windowMs).toBe(3000);
    expect(problemsOf({ UPSTREAM_RATE_WINDOW_MS: '10' })).toEqual([
      expect.stringMatching(/UPSTREAM_RATE_WINDOW_MS must be an integer from 1000/),
    ]);
  });
});
