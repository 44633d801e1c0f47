// <input {{fieldAria name hint error required}}> — the ARIA attributes tying a field to its hint and error message.
import Handlebars from 'handlebars'

export default function fieldAria(
  name: string,
  hint: unknown,
  error: unknown,
  required: unknown,
): Handlebars.SafeString {
  const id = `field-${Handlebars.escapeExpression(name)}`
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ')
  const attributes = [
    required === true ? 'aria-required="true"' : '',
    error ? 'aria-invalid="true"' : '',
    describedBy ? `aria-describedby="${describedBy}"` : '',
  ].filter(Boolean)
  return new Handlebars.SafeString(attributes.join(' '))
}
