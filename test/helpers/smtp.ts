// A real SMTP server in the test process on 127.0.0.1, keeping each message it accepts parsed as a mail client would.
import type { AddressInfo } from 'node:net'
import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  /** The envelope, as the sender gave it in MAIL FROM and RCPT TO. */
  from: string
  to: string[]
  parsed: ParsedMail
}

export class TestSmtpServer {
  readonly received: ReceivedMail[] = []
  /** Runs after a message is received and before the server answers 250: to hold the answer back. */
  beforeAccept: ((mail: ReceivedMail) => Promise<void> | void) | undefined
  private readonly refused = new Map<string, { code: number; text: string }>()
  private server: SMTPServer | undefined
  private port = 0

  /** Where the sender reaches it; the same after stop() and start(). */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`
  }

  /** Answers RCPT TO for this address with `code text`, e.g. 550 for a mailbox that does not exist. */
  refuse(address: string, code = 550, text = '5.1.1 Unknown mailbox'): void {
    this.refused.set(address.toLowerCase(), { code, text })
  }

  accept(address: string): void {
    this.refused.delete(address.toLowerCase())
  }

  /** Starts listening, on a free port the first time and on the same one when it comes back. */
  async start(): Promise<void> {
    const server = new SMTPServer({
      logger: false,
      authOptional: true,
      // Plain SMTP on the loopback: nodemailer would otherwise upgrade to the server's self-signed certificate.
      disabledCommands: ['STARTTLS'],
      closeTimeout: 100,
      onRcptTo: (address, _session, callback) => {
        const refusal = this.refused.get(address.address.toLowerCase())
        if (!refusal) return callback()
        callback(Object.assign(new Error(refusal.text), { responseCode: refusal.code }))
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then(async (parsed) => {
            const from = session.envelope.mailFrom
            const mail = {
              from: from ? from.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              parsed,
            }
            this.received.push(mail)
            await this.beforeAccept?.(mail)
            callback()
          })
          .catch((error: Error) => callback(error))
      },
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.port = (server.server.address() as AddressInfo).port
    this.server = server
  }

  /** Goes down: connections are refused until start(). */
  async stop(): Promise<void> {
    const server = this.server
    this.server = undefined
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  /** The messages received for an address. */
  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.to.includes(address))
  }
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const server = new TestSmtpServer()
  await server.start()
  return server
}
