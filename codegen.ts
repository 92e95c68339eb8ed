import type { CodegenConfig } from '@graphql-codegen/cli';
import { printSchema } from 'graphql';
import { schema } from './src/schema/index.js';

/**
 * GraphQL Code Generator: prints the public contract, schema/schema.graphql, from the Pothos schema.
 * `npm run codegen` regenerates it; `npm run codegen -- --check` fails when the committed file has drifted.
 */
const config: CodegenConfig = {
  schema: printSchema(schema),
  generates: {
    'schema/schema.graphql': {
      plugins: ['schema-ast'],
      config: { includeDirectives: false, commentDescriptions: false, sort: false },
    },
  },
};

export default config;
