import { defineConfig, type Options } from 'tsup'

/** Every package's build: ESM + CJS with declarations, for Node 20. `entry` defaults to src/index.ts. */
export function packageBuild(entry: Options['entry'] = ['src/index.ts']) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
  })
}
