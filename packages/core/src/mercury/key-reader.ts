/**
 * Raw reads of keys Mercury itself writes (`project_token:{id}`, `tenant_secret_version:{tenant}`), outside
 * the Portcullis key prefix. Backed by ioredis `GET` in production. Resolves undefined for a missing key;
 * rejects when the store cannot be read (callers then fail closed).
 */
export interface KeyReader {
  get(key: string): Promise<string | undefined>
}
