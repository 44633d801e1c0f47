import { fileURLToPath } from 'node:url'
import { create, type ExpressHandlebars } from 'express-handlebars'
import { helpers } from '../views/helpers/register.js'

export const viewsDir = fileURLToPath(new URL('../views', import.meta.url))

/** The one Handlebars setup: web pages and printed reports share its partials and helpers. */
export function createViews(): ExpressHandlebars {
  return create({
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: `${viewsDir}/layouts`,
    partialsDir: `${viewsDir}/partials`,
    helpers,
    // An indented partial call would otherwise indent every line of its output, the text inside a
    // <textarea> too: each save of an unchanged form would add spaces to the stored text.
    compilerOptions: { preventIndent: true },
  })
}
