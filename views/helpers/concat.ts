// {{concat "/planer/" plan.id "/risker"}} — joins its arguments into one string (for building URLs in partial calls).
export default function concat(...args: unknown[]): string {
  return args.slice(0, -1).map(String).join('')
}
