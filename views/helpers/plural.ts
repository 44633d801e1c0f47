// {{plural risks.length "risk" "risker"}} — "1 risk", "6 risker".
export default function plural(n: unknown, one: string, many: string): string {
  const value = Number(n) || 0
  return `${value} ${value === 1 ? one : many}`
}
