import { defineConfig } from 'tsup'

// A command, not a library to import: one ESM entry, no declarations. `bin.ts` keeps its shebang and is made
// executable. Modules only some commands need (core, ioredis) are loaded when those commands run.
export default defineConfig({
  entry: ['src/bin.ts'],
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
})
