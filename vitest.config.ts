import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module) builds. Node loads the CJS one for Pothos and Yoga; make Vite
    // load the same for our own files, or graphql's instanceof checks see two "graphql" modules.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Loopback servers per test file; files run in parallel forks, tests inside a file in order.
    pool: 'forks',
  },
});
