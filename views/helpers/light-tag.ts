// {{lightTag control.light}} — a control's traffic light as words with a coloured mark beside them: "Grön – utan
// avvikelser". The words carry the meaning; the mark is for the eye only, so it is hidden from screen readers.
import Handlebars from 'handlebars'
import type { Light } from '../../server/controls/traffic-light.js'

export default function lightTag(light: Light | undefined): Handlebars.SafeString | string {
  if (!light) return '–'
  const code = Handlebars.escapeExpression(light.code)
  const text = Handlebars.escapeExpression(`${light.label} – ${light.explanation.toLocaleLowerCase('sv-SE')}`)
  return new Handlebars.SafeString(
    `<span class="light light--${code}"><span class="light__mark" aria-hidden="true"></span>${text}</span>`,
  )
}
