import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '../../src/http/app.js';

/** One part of a multipart/mixed response, and when it was complete at the client (performance.now()). */
export interface ReceivedPart {
  body: { data?: any; incremental?: any[]; errors?: any[]; hasNext?: boolean; extensions?: any };
  receivedAt: number;
}

/** The app on a loopback port, as a client reaches it: parts are read off the socket as they arrive. */
export async function listen(app: App): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * POSTs an operation with `Accept: multipart/mixed` and reads the response part by part (Yoga's framing: each part
 * has a Content-Length header, boundary "-"), calling `onPart` as soon as each one is complete.
 */
export async function postForParts(
  url: string,
  query: string,
  options: {
    variables?: Record<string, unknown>;
    headers?: Record<string, string>;
    onPart?: (part: ReceivedPart) => void | Promise<void>;
  } = {},
): Promise<{ status: number; contentType: string | null; parts: ReceivedPart[] }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed', ...options.headers },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  const parts: ReceivedPart[] = [];
  let buffer = Buffer.alloc(0);
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer = Buffer.concat([buffer, Buffer.from(value)]);
    for (;;) {
      const text = buffer.toString('latin1');
      const head = /Content-Length: (\d+)\r\n\r\n/i.exec(text);
      if (!head) break;
      const start = head.index + head[0].length;
      const length = Number(head[1]);
      if (buffer.length < start + length) break;
      const part: ReceivedPart = {
        body: JSON.parse(buffer.subarray(start, start + length).toString('utf8')),
        receivedAt: performance.now(),
      };
      parts.push(part);
      buffer = buffer.subarray(start + length);
      await options.onPart?.(part);
    }
  }
  return { status: response.status, contentType: response.headers.get('content-type'), parts };
}
