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
    compilerOptions: {
      preventIndent: true,
      // Every helper is registered here: a `{{name}}` is then compiled as the value it names, without asking at each
      // render whether it is a helper, and a template calling a helper that does not exist fails to compile.
      knownHelpers: Object.fromEntries(Object.keys(helpers).map((name) => [name, true])),
      knownHelpersOnly: true,
    },
  })
}
