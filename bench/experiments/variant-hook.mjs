// `node --import ./variant-hook.mjs`: with PORTCULLIS_VARIANT=DIR (from snapshot-packages.sh), imports of
// @portcullis/core, express and nestjs load that snapshot instead of the workspace build. Scratch, for A/B runs.
import { register } from 'node:module'

const dir = process.env.PORTCULLIS_VARIANT
if (dir) register(new URL(`data:text/javascript,${encodeURIComponent(hooks(dir))}`))

function hooks(variant) {
  return `
import { pathToFileURL } from 'node:url'
const base = ${JSON.stringify(variant)}
const names = new Set(['core', 'express', 'nestjs'])
export async function resolve(specifier, context, next) {
  const m = /^@portcullis\\/([a-z]+)$/.exec(specifier)
  if (m && names.has(m[1])) return { url: pathToFileURL(base + '/' + m[1] + '/dist/index.js').href, shortCircuit: true }
  return next(specifier, context)
}`
}
