import { describe, expect, it } from 'vitest'
import { localPath } from './return-path.js'

describe('localPath', () => {
  it('keeps a path on this site, with its query and fragment', () => {
    expect(localPath('/', '/planer')).toBe('/')
    expect(localPath('/planer/1/atgarder?status=done&sok=l%C3%A4s', '/')).toBe(
      '/planer/1/atgarder?status=done&sok=l%C3%A4s',
    )
    expect(localPath('/#atgard-12', '/planer')).toBe('/#atgard-12')
  })

  it('falls back for anything that could lead to another site, or is no text', () => {
    for (const value of [
      'https://evil.example/',
      '//evil.example/planer',
      '/\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      'planer',
      '',
      ['/', '/planer'],
      undefined,
    ]) {
      expect(localPath(value, '/planer')).toBe('/planer')
    }
  })
})
