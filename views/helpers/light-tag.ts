// {{lightTag control.light}} — a control's traffic light as words with a coloured mark beside them: "Grön – utan
// avvikelser". The words carry the meaning; the mark is for the eye only, so it is hidden from screen readers. The
// mark and the colour's name stay on one line in a narrow column.
import Handlebars from 'handlebars'
import type { Light } from '../../server/controls/traffic-light.js'

export default function lightTag(light: Light | undefined): Handlebars.SafeString | string {
  if (!light) return '–'
  const code = Handlebars.escapeExpression(light.code)
  const name = Handlebars.escapeExpression(light.label)
  const explanation = Handlebars.escapeExpression(light.explanation)
  return new Handlebars.SafeString(
    `<span class="light light--${code}"><span class="light__name"><span class="light__mark" aria-hidden="true"></span>${name}</span> – ${explanation}</span>`,
  )
}
