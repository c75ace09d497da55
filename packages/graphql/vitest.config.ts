import { defineProject } from 'vitest/config'

// graphql 16 ships CJS (`main`) and ESM (`module`) side by side. Node loads the CJS build for the
// framework packages (Yoga, graphql-tools, Pothos); Vite would pick the ESM one for our sources, and
// two graphql realms cannot share a schema. Point Vite at the build Node uses.
const graphqlAsNodeLoadsIt = [{ find: /^graphql$/, replacement: 'graphql/index.js' }]

export default defineProject({
  resolve: { conditions: ['@portcullis/source'], alias: graphqlAsNodeLoadsIt },
  ssr: { resolve: { conditions: ['@portcullis/source'] } },
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Type tests (test/*.test-d.ts) run with the rest: `vitest run` type-checks them with tsc.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
})
