import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';

/**
 * GraphiQL as a small HTML page plus static assets taken from the bundle @graphql-yoga/render-graphiql ships (no
 * CDN: it works offline). Yoga's own renderer inlines the ~9 MB bundle into every page it renders; here each asset
 * is one Buffer for the process, under a content-hashed URL (cacheable forever), compressed once on first use.
 * Hand-written because Yoga has no static-asset mode for GraphiQL and the page must stay on this server.
 */

/** Where the assets live; the hash in their URL changes whenever their bytes do. */
export const GRAPHIQL_ASSET_PREFIX = '/graphiql/';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  compressed: Map<'br' | 'gzip', Promise<Buffer>>;
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** The GraphiQL page and its assets; `answer` serves a GET or HEAD of a path under GRAPHIQL_ASSET_PREFIX. */
export interface GraphiqlAssets {
  /** The HTML page for the GraphQL endpoint (about 1 KB). */
  page(R: typeof Response): Promise<Response>;
  /** The asset at `pathname`, or undefined when there is none (the caller answers 404). */
  answer(request: Request, pathname: string, R: typeof Response): Promise<Response | undefined>;
}

/** The bundle's parts, as UTF-8 bytes (the favicon as its data: URL). */
interface Bundle {
  js: Uint8Array;
  css: Uint8Array;
  editorWorkerService: Uint8Array;
  jsonWorker: Uint8Array;
  graphqlWorker: Uint8Array;
  favicon: string;
}

/**
 * Reads the bundle in a worker thread that ends once it has handed the bytes over: imported in this process, the
 * ~9 MB module would stay in its heap for good (about 47 MB of RSS, the largest single item of an idle server), for a
 * page most production servers never serve. Here only the bytes are kept, as Buffers, from the first GraphiQL request.
 */
function readBundle(): Promise<Bundle> {
  const path = createRequire(import.meta.url).resolve('@graphql-yoga/render-graphiql/graphiql');
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const m = require(workerData.path);
    const bytes = (text) => new TextEncoder().encode(text);
    const bundle = { js: bytes(m.js), css: bytes(m.css), editorWorkerService: bytes(m.editorWorkerService),
      jsonWorker: bytes(m.jsonWorker), graphqlWorker: bytes(m.graphqlWorker), favicon: m.favicon };
    const transfer = [bundle.js, bundle.css, bundle.editorWorkerService, bundle.jsonWorker, bundle.graphqlWorker].map((b) => b.buffer);
    parentPort.postMessage(bundle, transfer);
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { path } });
    worker.once('message', (bundle: Bundle) => resolve(bundle));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the GraphiQL bundle reader exited with ${code}`)));
  });
}

let shared: Promise<{ base: string; assets: Map<string, Asset> }> | undefined;
// One compression at a time, for the whole process: each holds tens of megabytes of working memory while it runs.
let compressions: Promise<unknown> = Promise.resolve();

/** The asset compressed with `encoding`, computed once (in libuv's thread pool) and then shared by every request. */
function compress(asset: Asset, encoding: 'br' | 'gzip'): Promise<Buffer> {
  let pending = asset.compressed.get(encoding);
  if (!pending) {
    // Brotli quality 6: within 3 % of quality 11's size on this bundle, at a twentieth of the time and half the memory.
    const run = () =>
      encoding === 'br'
        ? brotli(asset.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 6, [zlib.BROTLI_PARAM_SIZE_HINT]: asset.body.length } })
        : gzipAsync(asset.body, { level: 9 });
    pending = compressions.then(run, run);
    compressions = pending;
    asset.compressed.set(encoding, pending);
  }
  return pending;
}

/** The assets, built once per process on first use: they are the same bytes for every app. A failed read is retried. */
function sharedAssets(): Promise<{ base: string; assets: Map<string, Asset> }> {
  shared ??= readBundle().then(buildAssets, (error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

function buildAssets(bundle: Bundle): { base: string; assets: Map<string, Asset> } {
  const bytes = (part: Uint8Array) => Buffer.from(part.buffer, part.byteOffset, part.byteLength);
  const files: Record<string, { text: string | Buffer; type: string }> = {
    'graphiql.js': { text: bytes(bundle.js), type: 'text/javascript; charset=utf-8' },
    'graphiql.css': { text: bytes(bundle.css), type: 'text/css; charset=utf-8' },
    'editor.worker.js': { text: bytes(bundle.editorWorkerService), type: 'text/javascript; charset=utf-8' },
    'json.worker.js': { text: bytes(bundle.jsonWorker), type: 'text/javascript; charset=utf-8' },
    'graphql.worker.js': { text: bytes(bundle.graphqlWorker), type: 'text/javascript; charset=utf-8' },
    'favicon.ico': { text: Buffer.from(bundle.favicon.replace(/^data:[^,]*;base64,/, ''), 'base64'), type: 'image/x-icon' },
  };
  const bundleHash = createHash('sha256');
  for (const [name, file] of Object.entries(files)) bundleHash.update(name).update(file.text);
  const base = `${GRAPHIQL_ASSET_PREFIX}${bundleHash.digest('hex').slice(0, 16)}/`;
  // The start script is static too: the page passes its options as JSON, so that one script serves every page.
  files['start.js'] = {
    type: 'text/javascript; charset=utf-8',
    text: `(() => {
  const base = ${JSON.stringify(base)};
  const workers = { editorWorkerService: base + 'editor.worker.js', json: base + 'json.worker.js', graphql: base + 'graphql.worker.js' };
  self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (moduleId, label) => workers[label] };
  const options = JSON.parse(document.getElementById('graphiql-options').textContent);
  YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), options);
})();
`,
  };
  const assets = new Map<string, Asset>();
  // The bundle's bytes are hashed as they were served when it was imported here: a string hashes as its UTF-8 bytes.
  for (const [name, file] of Object.entries(files)) {
    const body = typeof file.text === 'string' ? Buffer.from(file.text, 'utf8') : file.text;
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(`${base}${name}`, { body, type: file.type, etag, compressed: new Map() });
  }
  return { base, assets };
}

/** The page for these options, over the process's one set of assets; nothing is read or compressed until first asked for. */
export function createGraphiqlAssets(options: { title: string; defaultQuery: string }): GraphiqlAssets {
  // `<` escaped so that no option value can close the script element.
  const optionsJson = JSON.stringify({ title: options.title, defaultQuery: options.defaultQuery }).replace(/</g, '\\u003c');
  const render = (base: string) =>
    Buffer.from(`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${options.title.replace(/[<>&"]/g, '')}</title>
    <link rel="icon" href="${base}favicon.ico" />
    <link rel="stylesheet" href="${base}graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphiql-options">${optionsJson}</script>
    <script src="${base}graphiql.js"></script>
    <script src="${base}start.js"></script>
  </body>
</html>
`);
  let html: Buffer | undefined;

  return {
    async page(R) {
      html ??= render((await sharedAssets()).base);
      return new R(html as Uint8Array<ArrayBuffer>, {
        status: 200,
        // The page names the asset versions: revalidated each time, and it is 1 KB.
        headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' },
      });
    },
    async answer(request, pathname, R) {
      const asset = (await sharedAssets()).assets.get(pathname);
      if (!asset) return undefined;
      const headers: Record<string, string> = {
        'content-type': asset.type,
        'cache-control': 'public, max-age=31536000, immutable',
        etag: asset.etag,
        vary: 'accept-encoding',
        'x-content-type-options': 'nosniff',
      };
      const tags = request.headers.get('if-none-match')?.split(',') ?? [];
      if (tags.some((tag) => tag.trim().replace(/^W\//, '') === asset.etag)) return new R(null, { status: 304, headers });
      const accepted = (request.headers.get('accept-encoding') ?? '').toLowerCase();
      const encoding = /\bbr\b/.test(accepted) ? 'br' : /\bgzip\b/.test(accepted) ? 'gzip' : undefined;
      const body = encoding ? await compress(asset, encoding) : asset.body;
      if (encoding) headers['content-encoding'] = encoding;
      headers['content-length'] = String(body.length);
      // A Buffer is a Uint8Array over an ArrayBuffer; the DOM typings only lack the Node subtype.
      return new R(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), { status: 200, headers });
    },
  };
}
