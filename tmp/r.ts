import { createTestApp } from '../test/helpers/app.js';
const app = createTestApp('http://127.0.0.1:9', 'dataforseo', { retry: { retries: 4, minDelayMs: 200, maxDelayMs: 10000, deadlineMs: 60000 } });
const t = Date.now();
const r = await app.execute('{ target(target: "backlinko.com") { rank backlinkCount spamScore info { server } } }');
console.log(Date.now() - t, 'ms', JSON.stringify(r.body.extensions), r.body.errors?.length, JSON.stringify(r.body.errors?.[0]));
await app.close();
