// {{#if (eq value option.code)}} — compares as strings, since form input is text and stored ids are numbers.
export default function eq(a: unknown, b: unknown): boolean {
  return String(a ?? '') === String(b ?? '')
}
