import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { buildServer, startServer } from '../helpers/server-process.js';

/**
 * GraphiQL is cheap: 100 concurrent page loads (the page and every asset it names) against the built server keep its
 * resident memory under its idle RSS plus 100 MB. Memory is read from /proc/<pid>/status: VmHWM, the peak the kernel
 * recorded, so no sample can miss it.
 */

const status = (pid: number, field: 'VmRSS' | 'VmHWM') => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m?.[1]) throw new Error(`no ${field} for ${pid}`);
  return Number(m[1]) * 1024;
};

const agent = new Agent({ keepAlive: true, maxSockets: 200 });
/** One GET with the raw (still compressed) body, drained and counted. */
function get(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      let bytes = 0;
      let text = '';
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (text.length < 20_000) text += chunk.toString('latin1');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GraphiQL under load', () => {
  it('100 concurrent page loads stay under idle RSS + 100 MB; assets are compressed and cacheable', { timeout: 180_000 }, async () => {
    buildServer();
    const server = startServer({ PORT: '0', HOST: '127.0.0.1' }, { built: true });
    const url = await server.ready;
    const pid = server.child.pid;
    if (pid === undefined) throw new Error('no pid');
    const origin = new URL(url).origin;
    await new Promise((r) => setTimeout(r, 1000));
    const idle = status(pid, 'VmRSS');

    const loadPage = async () => {
      const page = await get(url, { accept: 'text/html', 'accept-encoding': 'gzip, deflate, br' });
      expect(page.status).toBe(200);
      expect(page.bytes).toBeLessThan(10_000);
      const assets = [...page.text.matchAll(/(?:src|href)="(\/graphiql\/[^"]+)"/g)].map((m) => m[1] ?? '');
      expect(assets.length).toBeGreaterThanOrEqual(3);
      // The workers are named by the start script.
      const start = assets.find((a) => a.endsWith('start.js'));
      const workers = start ? ['editor.worker.js', 'json.worker.js', 'graphql.worker.js'].map((w) => start.replace('start.js', w)) : [];
      const answers = await Promise.all(
        [...assets, ...workers].map((a) => get(`${origin}${a}`, { 'accept-encoding': 'gzip, deflate, br' }).then((r) => ({ a, ...r }))),
      );
      for (const answer of answers) expect(answer.status, answer.a).toBe(200);
      return answers;
    };

    const first = await loadPage();
    const bundle = first.find((a) => a.a.endsWith('/graphiql.js'));
    expect(bundle?.headers['content-encoding']).toBe('br');
    expect(bundle?.headers['cache-control']).toContain('immutable');
    expect(bundle?.bytes).toBeLessThan(4_000_000);
    const etag = String(bundle?.headers.etag);
    expect((await get(`${origin}${bundle?.a}`, { 'if-none-match': etag })).status).toBe(304);
    const gzip = await get(`${origin}${bundle?.a}`, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');

    await Promise.all(Array.from({ length: 100 }, () => loadPage()));
    const peak = status(pid, 'VmHWM');
    expect(peak - idle, `idle ${Math.round(idle / 1e6)} MB, peak ${Math.round(peak / 1e6)} MB`).toBeLessThan(100 * 1024 * 1024);
    agent.destroy();
  });
});
