import 'reflect-metadata'
import { createRequire } from 'node:module'
import { HttpException } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { AuthError } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { toHttpException } from '../../../src/index.js'

const require = createRequire(import.meta.url)

describe('this run', () => {
  it('has NestJS 12 and @nestjs/graphql 14 installed', () => {
    expect(require('@nestjs/core/package.json').version).toMatch(/^12\./)
    expect(require('@nestjs/common/package.json').version).toMatch(/^12\./)
    expect(require('@nestjs/graphql/package.json').version).toMatch(/^14\./)
    expect(typeof NestFactory.create).toBe('function')
  })

  it('gives the package source the same @nestjs/common as the tests', () => {
    expect(toHttpException(new AuthError('credentials_missing'))).toBeInstanceOf(HttpException)
  })
})
