// {{#if (includes selected value)}} — whether a list holds a value, compared as strings like eq; one call, not a
// nested {{#each}}, so a long list of options with many chosen stays cheap to render.
export default function includes(list: unknown, value: unknown): boolean {
  return Array.isArray(list) && list.some((item) => String(item ?? '') === String(value ?? ''))
}
