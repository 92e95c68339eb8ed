import type { CodegenConfig } from '@graphql-codegen/cli';
import { printSchema } from 'graphql';
import { schema } from './src/graphql/schema/index.js';

/**
 * GraphQL Code Generator:
 * - schema/schema.graphql, the public contract, printed from the Pothos schema;
 * - test/client/generated/, a typed client (client preset) for the operations in test/client/documents/, as a
 *   codegen'd consumer would have it. A test runs those TypedDocumentNodes and the type checker checks their use,
 *   so a schema change that breaks clients fails CI.
 * `npm run codegen` regenerates both; `npm run codegen -- --check` fails when either has drifted (npm test runs it).
 */
const config: CodegenConfig = {
  schema: printSchema(schema),
  documents: ['test/client/documents/**/*.graphql'],
  generates: {
    'schema/schema.graphql': {
      plugins: ['schema-ast'],
      config: { includeDirectives: false, commentDescriptions: false, sort: false },
    },
    'test/client/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
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
