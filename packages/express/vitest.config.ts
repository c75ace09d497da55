import ts from 'typescript'
import { defineProject, type Plugin } from 'vitest/config'

/**
 * Vite's own transformer (oxc) does not compile standard (TC39) decorators, and Node 20 cannot run them,
 * so test files are compiled by TypeScript itself, exactly as a user's `tsc` build would compile them.
 * Files named `*.legacy.test.ts` are compiled with `experimentalDecorators`.
 */
function typescriptDecorators(): Plugin {
  return {
    name: 'portcullis:typescript-decorators',
    enforce: 'pre',
    transform(code, id) {
      if (!/\/test\/[^?]*\.ts$/.test(id) || !code.includes('@')) return undefined
      const output = ts.transpileModule(code, {
        fileName: id,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          experimentalDecorators: id.endsWith('.legacy.test.ts'),
          sourceMap: true,
        },
      })
      return { code: output.outputText, map: output.sourceMapText }
    },
  }
}

export default defineProject({
  plugins: [typescriptDecorators()],
  resolve: { conditions: ['@portcullis/source'] },
  ssr: { resolve: { conditions: ['@portcullis/source'] } },
  test: { testTimeout: 20_000, hookTimeout: 30_000 },
})
