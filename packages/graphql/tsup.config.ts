import { defineConfig } from 'tsup'

export default defineConfig({
  // Two entries: Yoga-only users never load Pothos. Shared code lives in one chunk per format, so the
  // Pothos entry and the main entry share the same module state.
  entry: { index: 'src/index.ts', pothos: 'src/pothos/index.ts' },
  format: ['esm', 'cjs'],
  splitting: true,
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
})
