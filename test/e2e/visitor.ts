// A person using the app without a browser: keeps its cookies, and posts forms as they stand on the page, CSRF token and
// version included. For tests that send many requests at once, where a Chromium tab each would cost too much.
import { load } from 'cheerio'
import { demoPassword } from '../../db/seed/demo.js'

export interface Answer {
  status: number
  /** Where a redirect leads, as a path; '' when it is no redirect. */
  location: string
  body: string
  /** The body as sent: a download's bytes. */
  bytes: Buffer
}

export class Visitor {
  private readonly jar = new Map<string, string>()

  constructor(public baseUrl: string) {}

  /** The same person, cookies and all, at another address: another instance behind the same load balancer. */
  at(baseUrl: string): Visitor {
    const moved = new Visitor(baseUrl)
    for (const [name, value] of this.jar) moved.jar.set(name, value)
    return moved
  }

  async get(path: string): Promise<Answer> {
    return this.send(path, {})
  }

  async post(path: string, body: URLSearchParams | FormData): Promise<Answer> {
    return this.send(path, { method: 'POST', body })
  }

  /**
   * Posts the form whose action is `action` on the page at `page` with the values it holds, changed by `changes`:
   * what a person does who opens the page, edits some fields and presses the button.
   */
  async submit(page: string, action: string, changes: Record<string, string> = {}): Promise<Answer> {
    return this.post(action, formValues((await this.get(page)).body, action, changes))
  }

  async logIn(account: string): Promise<void> {
    const answer = await this.submit('/logga-in', '/logga-in', {
      email: `${account}@demo.internkontroll.se`,
      password: demoPassword,
    })
    if (answer.status !== 303) throw new Error(`Logging in as ${account} answered ${answer.status}`)
    // Login renews the CSRF cookie: the next page sets it, as a browser's first page after login does.
    await this.get('/')
  }

  private async send(path: string, init: RequestInit): Promise<Answer> {
    const cookie = [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await fetch(this.baseUrl + path, { ...init, redirect: 'manual', headers: { cookie } })
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';')
      const at = pair.indexOf('=')
      const value = pair.slice(at + 1).trim()
      // A cleared cookie comes back empty and expired.
      if (value === '' || /expires=[^;]*1970/i.test(line)) this.jar.delete(pair.slice(0, at).trim())
      else this.jar.set(pair.slice(0, at).trim(), value)
    }
    const location = response.headers.get('location') ?? ''
    const bytes = Buffer.from(await response.arrayBuffer())
    return { status: response.status, location: location.replace(this.baseUrl, ''), body: bytes.toString(), bytes }
  }
}

/** The values the form posting to `action` holds on this page, as a browser would send them, with `changes` made. */
export function formValues(html: string, action: string, changes: Record<string, string> = {}): URLSearchParams {
  const $ = load(html)
  const form = $(`form[action="${action}"]`).first()
  if (form.length === 0) throw new Error(`No form posting to ${action} on the page`)
  const values = new URLSearchParams()
  form.find('input[name], select[name], textarea[name]').each((_, element) => {
    const field = $(element)
    const name = field.attr('name') as string
    const type = field.attr('type') ?? ''
    if (element.tagName === 'select') {
      const chosen = field.find('option[selected]').first()
      values.append(name, (chosen.length > 0 ? chosen : field.find('option').first()).attr('value') ?? '')
    } else if (element.tagName === 'textarea') values.append(name, field.text())
    else if (['checkbox', 'radio'].includes(type)) {
      if (field.is('[checked]')) values.append(name, field.attr('value') ?? 'on')
    } else if (!['submit', 'button', 'file'].includes(type)) values.append(name, field.attr('value') ?? '')
  })
  for (const [name, value] of Object.entries(changes)) values.set(name, value)
  return values
}
