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
  })
}
