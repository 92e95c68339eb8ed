import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach } from 'vitest';

/** The real process entry (what `npm start` runs) with a clean environment; killed after each test. */
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/**
 * Starts the server: its sources through tsx (`npm run dev`), or with `built`, `node dist/server.js` as `npm start`
 * runs it (build first: `buildServer()`).
 */
export function startServer(env: Record<string, string>, options: { built?: boolean; cwd?: string } = {}) {
  const root = process.cwd();
  const args = options.built ? [resolve(root, 'dist/server.js')] : ['--import', 'tsx', resolve(root, 'src/server.ts')];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', () => {
      const m = /"url":"(http:\/\/[^"]+)"/.exec(stdout);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  return { child, ready, output: () => ({ stdout, stderr }) };
}

/** Builds dist/ the way `npm start` does. */
export function buildServer(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd: process.cwd(),
    stdio: 'inherit',
  });
}
