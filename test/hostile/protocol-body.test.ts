import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SECURITY_DEFAULTS } from '../../src/ops/config.js';
import { useMockUpstreamApp } from '../helpers/app.js';

/**
 * Request bodies: a streamed body (no Content-Length, Transfer-Encoding: chunked) is accepted and cut at
 * MAX_BODY_BYTES while it is read; a declared length over the limit is refused before reading. Wide and long input
 * is refused by the same limit, cheaply, with no upstream call.
 */

const env = useMockUpstreamApp();
const encoder = new TextEncoder();

/** A body streamed in chunks of `chunkBytes`, with no declared length; counts the bytes the server pulled. */
function streamed(text: string, chunkBytes = 1000) {
  const bytes = encoder.encode(text);
  const state = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled >= bytes.length) return controller.close();
      const chunk = bytes.subarray(state.pulled, state.pulled + chunkBytes);
      state.pulled += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { stream, state };
}

async function post(body: BodyInit, headers: Record<string, string> = {}) {
  const response = await env.app.yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    errors: (JSON.parse(text) as { errors?: { message: string; extensions?: Record<string, unknown> }[] }).errors,
  };
}

const padded = (bytes: number) => {
  const base = JSON.stringify({ query: '{ __typename }\n#' });
  return JSON.stringify({ query: `{ __typename }\n#${'x'.repeat(bytes - base.length)}` });
};

describe('a streamed body', () => {
  it('is accepted under the limit', async () => {
    const { stream } = streamed(JSON.stringify({ query: '{ __typename }' }), 4);
    const answer = await post(stream);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.text).toMatch(/"__typename":"Query"/);
  });

  it('is accepted at exactly the limit', async () => {
    const { stream } = streamed(padded(SECURITY_DEFAULTS.maxBodyBytes));
    expect((await post(stream)).status).toBe(200);
  });

  it('is cut one byte over the limit: 413 PAYLOAD_TOO_LARGE naming the limit', async () => {
    const { stream } = streamed(padded(SECURITY_DEFAULTS.maxBodyBytes + 1));
    const answer = await post(stream);
    expect(answer.status, answer.text).toBe(413);
    expect(answer.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(answer.errors?.[0]?.message).toMatch(new RegExp(`${SECURITY_DEFAULTS.maxBodyBytes}`));
    expect(env.upstream.calls).toHaveLength(0);
  });

  it('stops being read at the limit: an endless stream is refused after about MAX_BODY_BYTES', async () => {
    const chunk = encoder.encode(`{"query":"{ __typename }","x":"${'y'.repeat(10_000)}`);
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const answer = await post(endless);
    expect(answer.status).toBe(413);
    // The reader may have buffered a few chunks ahead; nothing like the unbounded stream.
    expect(pulled).toBeLessThan(SECURITY_DEFAULTS.maxBodyBytes + 10 * chunk.length);
  });
});

describe('a declared length', () => {
  it('over the limit is refused before the body is read', async () => {
    const { stream, state } = streamed(padded(SECURITY_DEFAULTS.maxBodyBytes + 1));
    const answer = await post(stream, { 'content-length': String(SECURITY_DEFAULTS.maxBodyBytes + 1) });
    expect(answer.status).toBe(413);
    expect(answer.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(state.pulled).toBeLessThanOrEqual(1000);
  });
});

const TARGETS_QUERY = 'query($t: [String!]!) { targets(targets: $t) { id } }';

describe('wide and long input', () => {
  it('a variable list of 100 000 items: 413, no call', async () => {
    const body = JSON.stringify({ query: TARGETS_QUERY, variables: { t: Array.from({ length: 100_000 }, () => 'a.com') } });
    const answer = await post(body);
    expect(answer.status).toBe(413);
    expect(answer.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a huge string variable: 413, no call', async () => {
    const answer = await post(
      JSON.stringify({ query: 'query($t: String!) { target(target: $t) { id } }', variables: { t: 'a'.repeat(1_000_000) } }),
    );
    expect(answer.status).toBe(413);
  });

  it('huge extensions: 413', async () => {
    const answer = await post(JSON.stringify({ query: '{ __typename }', extensions: { x: 'a'.repeat(200_000) } }));
    expect(answer.status).toBe(413);
  });

  it('a wide list under the byte limit is refused as input, not run', async () => {
    const body = JSON.stringify({ query: TARGETS_QUERY, variables: { t: Array.from({ length: 12_000 }, () => 'a.io') } });
    expect(Buffer.byteLength(body)).toBeLessThan(SECURITY_DEFAULTS.maxBodyBytes);
    const answer = await post(body);
    expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(env.upstream.calls).toHaveLength(0);
  });
});

describe('over a real socket (the Node adapter, as in production)', () => {
  /** Sends `chunks` as a chunked body (no Content-Length) to the app behind node:http; the status and body. */
  async function sendChunked(chunks: string[]) {
    const server = createServer(env.app.yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      return await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
        const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/graphql', headers }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        // The server may answer 413 and close before the whole body is written.
        req.on('error', reject);
        for (const chunk of chunks) req.write(chunk);
        req.end();
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }

  it('accepts a small chunked body', async () => {
    const answer = await sendChunked(['{"query":', '"{ __typename }"', '}']);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.text).toMatch(/"__typename":"Query"/);
  });

  it('cuts a chunked body over the limit with a coded 413', async () => {
    const body = padded(SECURITY_DEFAULTS.maxBodyBytes + 1);
    const answer = await sendChunked(Array.from({ length: Math.ceil(body.length / 5000) }, (_, i) => body.slice(i * 5000, (i + 1) * 5000)));
    expect(answer.status, answer.text).toBe(413);
    expect((JSON.parse(answer.text) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
    expect(env.upstream.calls).toHaveLength(0);
  });
});
