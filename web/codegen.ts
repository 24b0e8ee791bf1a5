// Types every GraphQL operation in src/ from the committed schema: a schema change that
// breaks the app fails `npm run typecheck` (and so the build).
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: true,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: true,
        scalars: {
          BigInt: "string",
          Date: "string",
          DateTime: "string",
          Decimal: "string",
          FloatSeries: "number[]",
          IntSeries: "number[]",
          JSON: "unknown",
          Upload: "File",
        },
      },
    },
  },
  silent: true,
};
export default config;
