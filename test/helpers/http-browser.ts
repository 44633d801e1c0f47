// A browser for tests that need no rendering: cookies kept by name (every server of the test is on 127.0.0.1, where a
// browser too shares cookies across ports), redirects followed by hand so a test can stop at one.

export interface HttpBrowser {
  cookies: Map<string, string>
  request(url: string, init?: RequestInit): Promise<Response>
  /** Follows redirects from `url` until a page answers, or until the next address is one `stopAt` accepts. */
  go(url: string, stopAt?: (next: string) => boolean): Promise<{ url: string; status: number; text: string }>
  /** Posts a form's fields and follows where it leads. */
  post(url: string, fields: Record<string, string>, stopAt?: (next: string) => boolean): ReturnType<HttpBrowser['go']>
}

export function httpBrowser(cookies = new Map<string, string>()): HttpBrowser {
  async function request(url: string, init: RequestInit = {}) {
    const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie } })
    for (const set of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = set.split(';')
      const name = pair.slice(0, pair.indexOf('=')).trim()
      const value = pair.slice(pair.indexOf('=') + 1)
      const gone = value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(attributes.join(';'))
      if (gone) cookies.delete(name)
      else cookies.set(name, value)
    }
    return response
  }
  async function follow(first: Response, from: string, stopAt?: (next: string) => boolean) {
    let response = first
    let url = from
    for (let hops = 0; response.status >= 300 && response.status < 400; hops++) {
      const location = response.headers.get('location')
      if (!location || hops > 20) break
      url = new URL(location, url).href
      if (stopAt?.(url)) return { url, status: response.status, text: '' }
      response = await request(url)
    }
    return { url, status: response.status, text: await response.text() }
  }
  return {
    cookies,
    request,
    go: async (url, stopAt) => follow(await request(url), url, stopAt),
    post: async (url, fields, stopAt) =>
      follow(
        await request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
        }),
        url,
        stopAt,
      ),
  }
}
