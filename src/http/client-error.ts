import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { hostName } from './plugins/gate.js';

/**
 * Hands a request to the app unless its Host header cannot make a URL: the app builds the request's URL from the
 * Host header and the target, and a Host such as "x y" would fail there with a 500. A malformed Host is a 400.
 */
export function withHostCheck(app: (req: IncomingMessage, res: ServerResponse) => unknown) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const host = req.headers.host;
    // The gate's rule: the same function decides in-process, where no URL has to be built from the header.
    if (host !== undefined && hostName(host) === undefined) {
      const body = JSON.stringify({ errors: [{ message: 'The Host header is not a host name.', extensions: { code: 'BAD_REQUEST' } }] });
      res.writeHead(400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
      return;
    }
    void app(req, res);
  };
}

/**
 * Node's answer to a request it cannot hand to the app — received too slowly (`requestTimeout`, `headersTimeout`),
 * headers too large, or not HTTP at all — is a bare status line. This listener for the server's `clientError`
 * gives it the same coded JSON body as every other refusal, quoting nothing of what the client sent. It writes
 * only while no response has started on the socket (Node's own rule); otherwise the socket is just closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  const response = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || response?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, code, message]: [number, string, string] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'REQUEST_TIMEOUT', 'The request was not received in time (REQUEST_TIMEOUT_MS, HEADERS_TIMEOUT_MS).']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'HEADERS_TOO_LARGE', 'The request headers are too large.']
        : [400, 'BAD_REQUEST', 'The request is not valid HTTP/1.1.'];
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `connection: close\r\n\r\n${body}`,
  );
}
