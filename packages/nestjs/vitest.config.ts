import { defineProject } from 'vitest/config'

export default defineProject({
  resolve: { conditions: ['@portcullis/source'] },
  ssr: { resolve: { conditions: ['@portcullis/source'] } },
  // compat/* run this same suite against other NestJS majors, each with its own vitest config.
  test: { include: ['test/**/*.test.ts'], testTimeout: 20_000, hookTimeout: 30_000 },
})
