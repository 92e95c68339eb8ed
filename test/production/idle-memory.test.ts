import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Idle memory: what a server with an upstream account loads at start. The sandbox (its code and link graph), the
 * Redis client (without REDIS_URL) and the ~9 MB GraphiQL bundle (about 47 MB of RSS imported) are loaded only when
 * used, through `await import(...)` in src/server.ts or a worker in src/http/graphiql-assets.ts. Checked on the static
 * import graph from src/server.ts, as TypeScript emits it (verbatimModuleSyntax: an import is kept unless it is
 * `import type`), so that a new static import of any of them fails here rather than silently in the benchmark's RSS.
 */
const ROOT = resolve(import.meta.dirname, '../..');

/** The modules a file imports at run time: relative ones as absolute .ts paths, packages by their specifier. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) specifier = statement.moduleSpecifier;
    if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) specifier = statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier)) continue;
    const name = specifier.text;
    out.push(name.startsWith('.') ? resolve(dirname(file), name.replace(/\.js$/, '.ts')) : name);
  }
  return out;
}

/** Every module reachable from `entry` by static imports (packages are leaves). */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    if (file.startsWith('/')) stack.push(...runtimeImports(file));
  }
  return seen;
}

describe('what an idle server loads', () => {
  const graph = staticGraph(resolve(ROOT, 'src/server.ts'));

  it('reaches the app, the upstream and the metrics statically (the walk sees the graph)', () => {
    expect(graph).toContain(resolve(ROOT, 'src/http/app.ts'));
    expect(graph).toContain(resolve(ROOT, 'src/upstream/shared/limiter.ts'));
    expect(graph).toContain('prom-client');
    expect(graph.size).toBeGreaterThan(50);
  });

  it('does not load the sandbox, the Redis client or the GraphiQL bundle until they are used', () => {
    const loaded = [...graph];
    expect(loaded.filter((m) => m.startsWith(resolve(ROOT, 'src/sandbox')))).toEqual([]);
    expect(loaded.filter((m) => m === 'ioredis' || m === resolve(ROOT, 'src/upstream/shared/redis.ts'))).toEqual([]);
    expect(loaded.filter((m) => m.startsWith('@graphql-yoga/render-graphiql'))).toEqual([]);
  });
});
