import { fileURLToPath } from 'node:url'
import { defineProject } from 'vitest/config'

// The package's own suite (../../test), with every @nestjs/* import — from the tests and from ../../src —
// resolved to this package's NestJS 12 copies instead of the Nest 11 ones beside the source.
const nestjs = fileURLToPath(new URL('./node_modules/@nestjs/', import.meta.url))

export default defineProject({
  resolve: {
    conditions: ['@portcullis/source'],
    alias: [{ find: /^@nestjs\/([^/]+)(.*)$/, replacement: `${nestjs}$1$2` }],
  },
  ssr: { resolve: { conditions: ['@portcullis/source'] } },
  test: {
    name: '@portcullis/nestjs (NestJS 12)',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/**/*.test.ts', 'compat/nest12/test/**/*.test.ts'],
    // The built entries resolve @nestjs/* from beside the package (Nest 11 in this workspace): tested there.
    exclude: ['test/packaging.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
})
