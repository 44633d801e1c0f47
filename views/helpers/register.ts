import concat from './concat.js'
import date from './date.js'
import dateTime from './date-time.js'
import decision from './decision.js'
import eq from './eq.js'
import fieldAria from './field-aria.js'
import fileSize from './file-size.js'
import includes from './includes.js'
import keepWithMarkdown from './keep-with-markdown.js'
import lightTag from './light-tag.js'
import markdown from './markdown.js'
import plural from './plural.js'
import runStateTag from './run-state-tag.js'
import statusTag from './status-tag.js'

/** Every helper the templates may use, registered in one place. */
export const helpers = {
  concat,
  date,
  decision,
  dateTime,
  eq,
  fieldAria,
  fileSize,
  includes,
  keepWithMarkdown,
  lightTag,
  markdown,
  plural,
  runStateTag,
  statusTag,
}
