import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/ops/config.js';
import { startServer } from '../helpers/server-process.js';

/**
 * The real server process cuts requests that arrive too slowly (slow loris): a body trickled in byte by byte is
 * answered 408 and its socket closed after REQUEST_TIMEOUT_MS, headers after HEADERS_TIMEOUT_MS. The bounds
 * asserted are the configured time plus a generous margin (Node checks once a second; the machine may be loaded),
 * far below Node's own default of 300 s. An upstream answer slower than the request timeout is not cut.
 */

const TIMEOUTS = { REQUEST_TIMEOUT_MS: '2000', HEADERS_TIMEOUT_MS: '1000' };
const MARGIN_MS = 6000;

/** Opens a raw connection, writes `head`, then one byte of `trickle` every `everyMs`; resolves when the server closes it. */
function trickle(url: string, head: string, drip: string, everyMs: number) {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  const started = Date.now();
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', () => {});
  socket.write(head);
  let i = 0;
  const timer = setInterval(() => {
    if (!socket.destroyed && socket.writable) socket.write(drip[i++ % drip.length] ?? ' ');
  }, everyMs);
  const closed = new Promise<{ afterMs: number; received: string }>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ afterMs: Date.now() - started, received });
    }),
  );
  const deadline = (ms: number) =>
    Promise.race([closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), ms))]).finally(() => {
      clearInterval(timer);
      socket.destroy();
    });
  return { deadline };
}

describe('slow requests against the real server', () => {
  it('a body sent one byte at a time is cut with 408 after REQUEST_TIMEOUT_MS', async () => {
    const server = startServer({ PORT: '0', HOST: '127.0.0.1', ...TIMEOUTS });
    const url = await server.ready;
    const head = `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"query":"`;
    const result = await trickle(url, head, '{ __typename }', 400).deadline(2000 + MARGIN_MS);
    expect(result, 'the socket was still open').not.toBeNull();
    expect(result?.received).toMatch(/^HTTP\/1\.1 408/);
    expect(result?.received).toContain('"code":"REQUEST_TIMEOUT"');
    expect(result?.afterMs).toBeGreaterThanOrEqual(1500);
  });

  it('a chunked body trickled in is cut the same way', async () => {
    const server = startServer({ PORT: '0', HOST: '127.0.0.1', ...TIMEOUTS });
    const url = await server.ready;
    const head = `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
    // One-byte chunks: "1\r\nX\r\n", a byte of the chunk framing per tick.
    const result = await trickle(url, head, '1\r\n{\r\n', 300).deadline(2000 + MARGIN_MS);
    expect(result, 'the socket was still open').not.toBeNull();
    expect(result?.received).toMatch(/^HTTP\/1\.1 408/);
    expect(result?.received).toContain('"code":"REQUEST_TIMEOUT"');
  });

  it('a request that is not HTTP gets a coded 400 that quotes none of it', async () => {
    const server = startServer({ PORT: '0', HOST: '127.0.0.1', ...TIMEOUTS });
    const url = await server.ready;
    const result = await trickle(url, 'EVIL-MARKER /graphql HTTP/9\r\n\r\n', '', 1000).deadline(MARGIN_MS);
    expect(result, 'the socket was still open').not.toBeNull();
    expect(result?.received).toMatch(/^HTTP\/1\.1 400/);
    expect(result?.received).toContain('"code":"BAD_REQUEST"');
    expect(result?.received).not.toContain('EVIL-MARKER');
  });

  it('headers sent one line at a time are cut after HEADERS_TIMEOUT_MS', async () => {
    const server = startServer({ PORT: '0', HOST: '127.0.0.1', ...TIMEOUTS });
    const url = await server.ready;
    const result = await trickle(url, 'GET /health HTTP/1.1\r\nHost: localhost\r\n', 'X-Slow: 1\r\n', 300).deadline(1000 + MARGIN_MS);
    expect(result, 'the socket was still open').not.toBeNull();
    expect(result?.received).toMatch(/^HTTP\/1\.1 408/);
    expect(result?.received).toContain('"code":"REQUEST_TIMEOUT"');
  });

  it('a connection that never sends a byte is closed after REQUEST_TIMEOUT_MS', async () => {
    const server = startServer({ PORT: '0', HOST: '127.0.0.1', ...TIMEOUTS });
    const url = await server.ready;
    const result = await trickle(url, '', '', 60_000).deadline(2000 + MARGIN_MS);
    expect(result, 'the socket was still open').not.toBeNull();
  });

  it('a keep-alive connection serves several requests, then closes when idle', async () => {
    const server = startServer({ PORT: '0', HOST: '127.0.0.1', ...TIMEOUTS, KEEP_ALIVE_TIMEOUT_MS: '1500' });
    const url = await server.ready;
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const get = 'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n';
    socket.write(get);
    await new Promise((r) => setTimeout(r, 800));
    socket.write(get);
    const closedAfter = await new Promise<number>((resolve) => {
      const started = Date.now();
      socket.on('close', () => resolve(Date.now() - started));
    });
    expect(received.match(/HTTP\/1\.1 200/g)).toHaveLength(2);
    expect(closedAfter).toBeLessThan(1500 + MARGIN_MS);
  });

  it('an answer slower than the request timeout is not cut: the timeout is about receiving the request', async () => {
    const server = startServer({ PORT: '0', HOST: '127.0.0.1', ...TIMEOUTS, SANDBOX_LATENCY_MS: '3500' });
    const url = await server.ready;
    const started = Date.now();
    const body = JSON.stringify({ query: '{ target(target: "backlinko.com") { rank } }' });
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const answer = (await response.json()) as { data?: { target: { rank: number } } };
    expect(Date.now() - started).toBeGreaterThan(3000);
    expect(response.status).toBe(200);
    expect(answer.data?.target.rank).toEqual(expect.any(Number));
  });
});

describe('configuration', () => {
  it('defaults: 30 s for a request, 10 s for headers, 5 s keep-alive', () => {
    expect(readConfig({}).http).toEqual({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000 });
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    expect(() => readConfig({ REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '2000' })).toThrow(ConfigError);
    expect(() => readConfig({ REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '2000' })).toThrow(/HEADERS_TIMEOUT_MS/);
  });
});
