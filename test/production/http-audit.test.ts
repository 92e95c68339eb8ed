import { serverAudits } from 'graphql-http';
import { describe, expect, it } from 'vitest';
import { useSandboxApp } from '../helpers/sandbox.js';

/**
 * The graphql-http server audit suite (GraphQL over HTTP spec) against the app. Every MUST and every SHOULD passes
 * as is. CSRF prevention refuses GET requests that carry no `x-graphql-csrf` header (a browser can send those
 * cross-site without a preflight), which fails three MAY audits; with the header, as any non-browser client can
 * send it, every audit passes.
 */

const env = useSandboxApp();

function audits(headers: Record<string, string>) {
  return serverAudits({
    url: 'http://yoga/graphql',
    fetchFn: (input: RequestInfo | URL, init?: RequestInit) =>
      env.app.yoga.fetch(input as string, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }),
  });
}

describe('GraphQL over HTTP, as a browser sends it', () => {
  for (const audit of audits({})) {
    const refusedGet =
      /^MAY (accept application\/x-www-form-urlencoded formatted GET|allow URL-encoded JSON string \{variables\} parameter in GETs)/.test(
        audit.name,
      );
    it(`${audit.name}${refusedGet ? ' (refused: CSRF prevention)' : ''}`, async () => {
      const result = await audit.fn();
      if (refusedGet) expect(result.status).not.toBe('ok');
      else expect(result.status, 'reason' in result ? result.reason : '').toBe('ok');
    });
  }
});

describe('GraphQL over HTTP, with the CSRF header', () => {
  for (const audit of audits({ 'x-graphql-csrf': '1' })) {
    it(audit.name, async () => {
      const result = await audit.fn();
      expect(result.status, 'reason' in result ? result.reason : '').toBe('ok');
    });
  }
});
