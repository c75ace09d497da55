import { defineProject } from 'vitest/config'

// The demo is tested as a person meets it: `src/main.ts` is started in a child process exactly as
// `pnpm demo` starts it, and the tests talk to it over HTTP and through a real browser. Only modules
// without decorators are imported into the test process (the issuer's parts, the tour).
export default defineProject({
  resolve: { conditions: ['@portcullis/source'] },
  ssr: { resolve: { conditions: ['@portcullis/source'] } },
  test: { include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 120_000 },
})
