import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { createViews, viewsDir } from './views.js'

it('compiles every template, so a call of a helper that is not registered fails here and not on a page', () => {
  const views = createViews()
  const templates = readdirSync(viewsDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.hbs'))
  expect(templates.length).toBeGreaterThan(50)
  const failures = templates.flatMap((file) => {
    try {
      // Handlebars compiles lazily: precompiling parses the whole template with the app's own options.
      views.handlebars.precompile(readFileSync(join(viewsDir, file), 'utf8'), views.compilerOptions)
      return []
    } catch (error) {
      return [`${file}: ${(error as Error).message.split('\n')[0]}`]
    }
  })
  expect(failures).toEqual([])
  // And the check is real: an unknown helper called with an argument is refused.
  expect(() => views.handlebars.precompile('{{noSuchHelper title}}', views.compilerOptions)).toThrow()
})
