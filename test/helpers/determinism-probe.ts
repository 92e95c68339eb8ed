import { createHash } from 'node:crypto';
import { callSandbox, startSandbox } from './sandbox.js';

/** Prints a hash of the bytes a fresh sandbox answers to a fixed set of requests (run as its own process). */
const { sandbox, url } = await startSandbox();
const hash = createHash('sha256');
const requests: [string, unknown][] = [
  ['summary', { target: 'backlinko.com', internal_list_limit: 100 }],
  ['referring_domains', { target: 'ahrefs.com', limit: 1000, order_by: ['backlinks,desc'] }],
  ['domain_intersection', { targets: { 1: 'backlinko.com', 2: 'ahrefs.com' }, limit: 100 }],
  ['bulk_ranks', { targets: ['a.com', 'b.com', 'https://c.com/x'] }],
];
for (const [endpoint, task] of requests) hash.update((await callSandbox(url, endpoint, task)).text);
await sandbox.close();
process.stdout.write(hash.digest('hex'));
