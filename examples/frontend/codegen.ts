import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * A frontend's codegen: the published SDL (not the server's sources, not introspection), the operations written
 * with `graphql()` in src/, and the client preset's typed documents in src/gql/. `persistedDocuments` also writes
 * src/gql/persisted-documents.json — hash → document text — the manifest the server loads as TRUSTED_DOCUMENTS,
 * and puts each document's hash on the document (`__meta__.hash`), which is what the client sends instead of the
 * text.
 */
const config: CodegenConfig = {
  schema: '../../schema/schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**'],
  ignoreNoDocuments: false,
  // Committed formatted; the server's test regenerates, formats and compares (drift fails `npm test`).
  hooks: { afterAllFileWrite: ['prettier --write'] },
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
      config: {
        scalars: { Date: 'string', DateTime: 'string', SafeInt: 'number' },
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        // ESM with NodeNext resolution: relative imports need their .js extension.
        emitLegacyCommonJSImports: false,
      },
    },
  },
};

export default config;
