import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/ops/config.js';

describe('readConfig', () => {
  it('uses the sandbox when no credential is set', () => {
    expect(readConfig({})).toMatchObject({ port: 4000, upstream: { kind: 'sandbox' }, upstreamTimeoutMs: 125_000, graphiql: true });
  });

  it('closes CORS unless CORS_ORIGINS opens it, and throttles 10 wrong keys a minute by default', () => {
    expect(readConfig({}).security).toMatchObject({ corsOrigins: [], apiKeyFailuresPerMinute: 10 });
    expect(readConfig({ CORS_ORIGINS: '*', API_KEY_FAILURES_PER_MINUTE: '3' }).security).toMatchObject({
      corsOrigins: '*',
      apiKeyFailuresPerMinute: 3,
    });
  });

  it('chooses DataForSEO from its credentials, AIsa from its key, and UPSTREAM overrides', () => {
    expect(readConfig({ DATAFORSEO_LOGIN: 'l', DATAFORSEO_PASSWORD: 'p' }).upstream).toEqual({
      kind: 'dataforseo',
      login: 'l',
      password: 'p',
      baseUrl: 'https://api.dataforseo.com',
    });
    expect(readConfig({ AISA_API_KEY: 'k' }).upstream).toEqual({ kind: 'aisa', apiKey: 'k', baseUrl: 'https://api.aisa.one/apis/v1' });
    expect(readConfig({ AISA_API_KEY: 'k', UPSTREAM: 'sandbox' }).upstream).toEqual({ kind: 'sandbox' });
    expect(
      readConfig({
        AISA_API_KEY: 'k',
        DATAFORSEO_LOGIN: 'l',
        DATAFORSEO_PASSWORD: 'p',
        UPSTREAM: 'aisa',
        AISA_BASE_URL: 'http://127.0.0.1:1/x/',
      }).upstream,
    ).toMatchObject({ kind: 'aisa', baseUrl: 'http://127.0.0.1:1/x' });
  });

  it('lists every problem at once, naming the variables, never a secret', () => {
    let error: unknown;
    try {
      readConfig({
        UPSTREAM: 'dataforseo',
        DATAFORSEO_PASSWORD: 'hunter2-secret',
        PORT: '99999',
        DATAFORSEO_BASE_URL: 'https://user:pw@example.com',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).toHaveLength(3);
    expect(message).toMatch(/DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD/);
    expect(message).toMatch(/PORT must be an integer from 0 to 65535, got "99999"/);
    expect(message).toMatch(/DATAFORSEO_BASE_URL must not contain credentials/);
    expect(message).not.toContain('hunter2-secret');
    expect(message).not.toContain(':pw@');
  });

  it('refuses an unknown UPSTREAM', () => {
    expect(() => readConfig({ UPSTREAM: 'other' })).toThrow(/UPSTREAM must be one of dataforseo, aisa, sandbox/);
  });
});

describe('readConfig: the public endpoint and operations', () => {
  it('reads security limits, keys, origins, log level and sandbox latency', () => {
    const config = readConfig({
      MAX_DEPTH: '8',
      API_KEYS: ' 0123456789abcdefXYZ , fedcba9876543210abc',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      LOG_LEVEL: 'WARN',
      SANDBOX_LATENCY_MS: '300-900',
      INTROSPECTION: 'false',
    });
    expect(config.security).toMatchObject({
      maxDepth: 8,
      apiKeys: ['0123456789abcdefXYZ', 'fedcba9876543210abc'],
      corsOrigins: ['https://a.example', 'https://b.example'],
      introspection: false,
    });
    expect(config.logLevel).toBe('warn');
    expect(config.sandboxLatencyMs).toEqual({ min: 300, max: 900 });
    expect(readConfig({ AISA_API_KEY: 'k' }).limits).toMatchObject({ maxConcurrency: 5, maxPerMinute: 60 });
    expect(readConfig({}).limits).toMatchObject({ maxConcurrency: 30, maxPerMinute: 2000 });
  });

  it('reads the execution memory ceiling, and refuses values out of its ranges', () => {
    expect(readConfig({}).security).toMatchObject({
      executionMaxValues: 1_200_000,
      executionMaxQueue: 1000,
      executionQueueTimeoutMs: 30_000,
    });
    expect(
      readConfig({ EXECUTION_MAX_VALUES: '500000', EXECUTION_MAX_QUEUE: '0', EXECUTION_QUEUE_TIMEOUT_MS: '250' }).security,
    ).toMatchObject({
      executionMaxValues: 500_000,
      executionMaxQueue: 0,
      executionQueueTimeoutMs: 250,
    });
    expect(() => readConfig({ EXECUTION_MAX_VALUES: '10' })).toThrow(
      /EXECUTION_MAX_VALUES must be an integer from 10000 to 1000000000, got "10"/,
    );
    expect(() => readConfig({ EXECUTION_MAX_QUEUE: '-1' })).toThrow(/EXECUTION_MAX_QUEUE must be an integer/);
    expect(() => readConfig({ EXECUTION_QUEUE_TIMEOUT_MS: '2.5' })).toThrow(/EXECUTION_QUEUE_TIMEOUT_MS must be an integer/);
  });

  it('names a short API key by position, never by value', () => {
    expect(() => readConfig({ API_KEYS: 'long-enough-key-0001,short-secret' })).toThrow(/API_KEYS: key #2 is shorter than 16 characters/);
    expect(() => readConfig({ API_KEYS: 'long-enough-key-0001,short-secret' })).not.toThrow(/short-secret/);
  });

  it.each([
    [{ CORS_ORIGINS: 'app.example.com' }, /CORS_ORIGINS/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ SANDBOX_LATENCY_MS: '900-300' }, /SANDBOX_LATENCY_MS/],
    [{ CACHE_TTL_SECONDS: '-1' }, /CACHE_TTL_SECONDS must be an integer from 0/],
    [{ UPSTREAM_MAX_CONCURRENCY: '0' }, /UPSTREAM_MAX_CONCURRENCY/],
  ])('refuses %o', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });
});
