import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server-process.js';

/**
 * The Host header against the real server: it cannot change the routed path (the URL is built from Host and the
 * request target), and without API keys only loopback names — or ALLOWED_HOSTS — are answered, so that a web page
 * cannot drive a local server holding paid credentials by DNS rebinding.
 */
const KEY = 'host-test-key-0123456789abcdef';
const QUERY = JSON.stringify({ query: '{ target(target: "a.com") { rank } }' });

/** One raw HTTP/1.1 request; resolves with the status and body. */
function send(url: string, head: string, body = ''): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      const [statusLine = '', ...rest] = received.split('\r\n');
      resolve({ status: Number(statusLine.split(' ')[1]), body: rest.join('\r\n').split('\r\n\r\n').slice(1).join('\r\n\r\n') });
    });
    socket.write(`${head}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}
const post = (path: string, host: string, extra = '') =>
  `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nAccept: application/json\r\n${extra}`;

describe('the Host header', () => {
  it('cannot change the routed path, and is refused when it is not a host name', async () => {
    const url = await startServer({ PORT: '0', HOST: '127.0.0.1', API_KEYS: KEY }).ready;
    for (const host of ['x/graphql?', 'x/graphql#', 'a@b', 'x y', '']) {
      const answer = await send(url, post('/health', host, `Authorization: Bearer ${KEY}\r\n`), QUERY);
      expect([host, answer.status]).toEqual([host, 400]);
      expect(answer.body).toContain('"code":"BAD_REQUEST"');
      expect(answer.body).not.toContain('"data"');
    }
  });

  it('without API keys, only loopback names are answered: a rebound name gets 421', async () => {
    const url = await startServer({ PORT: '0', HOST: '127.0.0.1' }).ready;
    const port = new URL(url).port;
    for (const host of [`rebind.evil.example:${port}`, 'evil.example', `192.0.2.1:${port}`]) {
      const answer = await send(url, post('/graphql', host, `Origin: http://${host}\r\n`), QUERY);
      expect([host, answer.status]).toEqual([host, 421]);
      expect(answer.body).toContain('"code":"HOST_NOT_ALLOWED"');
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'app.localhost']) {
      expect([host, (await send(url, post('/graphql', host), QUERY)).status]).toEqual([host, 200]);
    }
  });

  it('ALLOWED_HOSTS names the hosts answered; with API keys any host is, the key deciding', async () => {
    const listed = await startServer({ PORT: '0', HOST: '127.0.0.1', ALLOWED_HOSTS: 'api.example.com' }).ready;
    expect((await send(listed, post('/graphql', 'api.example.com'), QUERY)).status).toBe(200);
    expect((await send(listed, post('/graphql', 'localhost'), QUERY)).status).toBe(421);
    const keyed = await startServer({ PORT: '0', HOST: '127.0.0.1', API_KEYS: KEY }).ready;
    expect((await send(keyed, post('/graphql', 'api.example.com', `Authorization: Bearer ${KEY}\r\n`), QUERY)).status).toBe(200);
    expect((await send(keyed, post('/graphql', 'api.example.com'), QUERY)).status).toBe(401);
  });
});
