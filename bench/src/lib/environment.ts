import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const benchRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const require = createRequire(join(benchRoot, 'package.json'))

/** Version of a package as installed for bench (walks up from its entry point to its package.json). */
export function installedVersion(name: string): string {
  try {
    let dir = dirname(require.resolve(name))
    for (;;) {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
          name?: string
          version?: string
        }
        if (manifest.name === name && manifest.version) return manifest.version
      } catch {}
      const parent = dirname(dir)
      if (parent === dir) return 'not installed'
      dir = parent
    }
  } catch {
    return 'not installed'
  }
}

export const PACKAGES = [
  '@portcullis/core',
  '@portcullis/express',
  '@portcullis/nestjs',
  '@portcullis/graphql',
  'jose',
  'fast-jwt',
  'jsonwebtoken',
  'express',
  'express-jwt',
  'jwks-rsa',
  'express-oauth2-jwt-bearer',
  '@nestjs/core',
  '@nestjs/passport',
  'passport-jwt',
  'graphql-yoga',
  '@graphql-yoga/plugin-jwt',
  'autocannon',
  'mitata',
  'ioredis',
]

/** The commit the workspace packages were built from, and whether their sources had uncommitted changes. */
function sourceRevision(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: benchRoot, encoding: 'utf8' }).trim()
  try {
    const dirty = git('status', '--porcelain', '--', '../packages').length > 0
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes under packages/' : ''}`
  } catch {
    return 'unknown (not a git checkout)'
  }
}

export function describeEnvironment(): string[] {
  const cpu = cpus()
  const versions = PACKAGES.map((name) => `${name} ${installedVersion(name)}`)
  return [
    `Date: ${new Date().toISOString()}`,
    `Node ${process.version} (V8 ${process.versions.v8}, OpenSSL ${process.versions.openssl}), ${process.platform}/${process.arch}`,
    `Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; shared with other work, so absolute numbers are noise and the ratios (measured in the same run) are the result.`,
    `Workspace packages built from ${sourceRevision()}`,
    `Packages: ${versions.join(', ')}`,
  ]
}
