// The little of oidc-provider (which ships no types) that the tests' provider uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http'

  interface Grant {
    addOIDCScope(scope: string): void
    save(): Promise<string>
  }
  interface Context {
    path: string
    body: unknown
    oidc: {
      provider: Provider
      client?: { clientId: string }
      session?: { accountId?: string; grantIdFor(clientId: string): string | undefined }
      result?: { consent?: { grantId?: string } }
    }
  }
  interface Configuration {
    loadExistingGrant(ctx: Context): Promise<Grant | undefined>
    findAccount(
      ctx: Context,
      id: string,
    ): Promise<{ accountId: string; claims(): Promise<Record<string, unknown>> } | undefined>
    [setting: string]: unknown
  }
  export default class Provider {
    constructor(issuer: string, configuration: Configuration)
    Grant: { new (properties: { clientId?: string; accountId?: string }): Grant; find(id: string): Promise<Grant> }
    use(middleware: (ctx: Context, next: () => Promise<void>) => Promise<void>): void
    callback(): (req: IncomingMessage, res: ServerResponse) => void
  }
}
