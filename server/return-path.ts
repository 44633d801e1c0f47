/**
 * A path on this site to go back to (?till=/planer/1), else the fallback. Never another site: `//evil.example`
 * and `/\evil.example` are read by browsers as addresses of other hosts, and whitespace or control characters
 * could be dropped by a browser until they are.
 */
export function localPath(value: unknown, fallback: string): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\\\s\p{Cc}]*$/u.test(value) ? value : fallback
}
