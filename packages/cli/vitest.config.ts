import { defineProject } from 'vitest/config'

// The CLI is tested as a user meets it: every test spawns the built `portcullis` (dist/bin.js, built by the
// global setup) as a child process, against a real demo issuer and a real redis-server.
export default defineProject({
  resolve: { conditions: ['@portcullis/source'] },
  ssr: { resolve: { conditions: ['@portcullis/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
