// {{fileSize version.byte_size}} — "245 kB", "1,2 MB", with Swedish decimals.
const format = new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 1 })

export default function fileSize(bytes: unknown): string {
  const n = Number(bytes) || 0
  if (n < 1000 * 1000) return `${format.format(Math.max(1, Math.round(n / 1000)))} kB`
  return `${format.format(n / 1000 / 1000)} MB`
}
