// {{runStateTag run.state}} — where an occasion stands (runStateOf in server/controls/control-line.ts) as a tag:
// "Utan anmärkning", "Med avvikelser", "Ej genomförd", "Försenat", "Ej rapporterat". Its colours are the
// occasion's own (run-state--<code> in app.css), not a measure status's that happens to look alike.
import Handlebars from 'handlebars'
import type { RunStateCode } from '../../server/controls/control-line.js'

export default function runStateTag(state: { code: RunStateCode; label: string } | undefined) {
  if (!state) return '–'
  const code = Handlebars.escapeExpression(state.code)
  const label = Handlebars.escapeExpression(state.label)
  return new Handlebars.SafeString(`<strong class="tag run-state--${code}">${label}</strong>`)
}
