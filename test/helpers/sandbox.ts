import { request } from 'undici';
import { afterAll, beforeAll } from 'vitest';
import { createTestApp, type TestAppOptions } from './app.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';

/** A sandbox on a loopback port, and a raw caller of its two wires. */
export async function startSandbox(options: SandboxOptions = {}): Promise<{ sandbox: Sandbox; url: string }> {
  const sandbox = createSandbox(options);
  const url = await sandbox.listen(0, '127.0.0.1');
  return { sandbox, url };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
}

/** POSTs one task (or, on the DataForSEO wire, an array of tasks) and returns the raw answer. */
export async function callSandbox(
  url: string,
  endpoint: string,
  task: unknown,
  wire: 'dataforseo' | 'aisa' = 'dataforseo',
  auth?: string,
): Promise<RawAnswer> {
  const path = wire === 'dataforseo' ? `/v3/backlinks/${endpoint}/live` : `/apis/v1/dataforseo/backlinks/${endpoint}/live`;
  const authorization =
    auth ?? (wire === 'dataforseo' ? `Basic ${Buffer.from('login:password').toString('base64')}` : 'Bearer sk-aisa-test');
  const response = await request(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(wire === 'dataforseo' && !Array.isArray(task) ? [task] : task),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, body: JSON.parse(text) };
}

/** The result of a successful single-task call, or a thrown error naming the status code. */
export async function resultOf(url: string, endpoint: string, task: unknown): Promise<any> {
  const { body } = await callSandbox(url, endpoint, task);
  const t = body.tasks?.[0];
  if (body.status_code !== 20000 || t?.status_code !== 20000)
    throw new Error(`${endpoint}: ${body.status_code} / ${t?.status_code} ${t?.status_message}`);
  return t.result[0];
}

/** Every referring domain of a target, fetched in windows of `limit`. */
export async function allReferringDomains(url: string, task: Record<string, unknown>, limit = 1000): Promise<any[]> {
  const items: any[] = [];
  for (let offset = 0; ; offset += limit) {
    const r = await resultOf(url, 'referring_domains', { ...task, limit, offset });
    items.push(...r.items);
    if (offset + limit >= r.total_count) return items;
  }
}

/**
 * Registers the hooks of a test file that runs the app against one sandbox over loopback: both started before
 * the file's tests, closed after them.
 */
export function useSandboxApp(options: SandboxOptions = {}, wire: 'dataforseo' | 'aisa' = 'dataforseo', appOptions: TestAppOptions = {}) {
  const env = {} as { sandbox: Sandbox; url: string; app: ReturnType<typeof createTestApp> };
  beforeAll(async () => {
    Object.assign(env, await startSandbox(options));
    env.app = createTestApp(env.url, wire, { sandbox: true, ...appOptions });
  });
  afterAll(async () => {
    await env.app.close();
    await env.sandbox.close();
  });
  return env;
}
