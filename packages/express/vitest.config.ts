import { defineProject } from 'vitest/config'

export default defineProject({
  resolve: { conditions: ['@portcullis/source'] },
  ssr: { resolve: { conditions: ['@portcullis/source'] } },
  test: { testTimeout: 20_000, hookTimeout: 30_000 },
})
