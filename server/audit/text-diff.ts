/** A run of text that both versions share, or that only the old (removed) or only the new (added) has. */
export interface DiffSegment {
  text: string
  added?: true
  removed?: true
}

// Beyond this many word pairs (500 changed words on each side) the comparison would slow a log page of 200 rows
// more than it tells: the two middles are shown whole, one removed and one added.
const maxCells = 250_000

/** What changed between two texts, word by word (the spaces and line breaks kept), every word of both kept. */
export function diffWords(before: string, after: string): DiffSegment[] {
  const a = before.split(/(\s+)/).filter((t) => t !== '')
  const b = after.split(/(\s+)/).filter((t) => t !== '')
  // An edit usually touches the middle of a text; the common ends need no table.
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let end = 0
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++
  const oldMiddle = a.slice(start, a.length - end)
  const newMiddle = b.slice(start, b.length - end)
  const segments: DiffSegment[] = []
  const push = (text: string, kind: 'same' | 'added' | 'removed') => {
    const last = segments.at(-1)
    const lastKind = last?.added ? 'added' : last?.removed ? 'removed' : 'same'
    if (last && lastKind === kind) last.text += text
    else segments.push(kind === 'same' ? { text } : kind === 'added' ? { text, added: true } : { text, removed: true })
  }
  for (const t of a.slice(0, start)) push(t, 'same')
  for (const [text, kind] of middle(oldMiddle, newMiddle)) push(text, kind)
  for (const t of a.slice(a.length - end)) push(t, 'same')
  return segments
}

function middle(a: string[], b: string[]): [string, 'same' | 'added' | 'removed'][] {
  if (a.length * b.length > maxCells) {
    return [...a.map((t): [string, 'removed'] => [t, 'removed']), ...b.map((t): [string, 'added'] => [t, 'added'])]
  }
  // common(i, j): the length of the longest common subsequence of a[i..] and b[j..].
  const width = b.length + 1
  const table = new Uint32Array((a.length + 1) * width)
  const common = (i: number, j: number) => table[i * width + j] ?? 0
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * width + j] = a[i] === b[j] ? common(i + 1, j + 1) + 1 : Math.max(common(i + 1, j), common(i, j + 1))
    }
  }
  const out: [string, 'same' | 'added' | 'removed'][] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    const old = a[i]
    const added = b[j]
    if (old !== undefined && old === added) {
      out.push([old, 'same'])
      i++
      j++
    } else if (old !== undefined && (added === undefined || common(i + 1, j) >= common(i, j + 1))) {
      out.push([old, 'removed'])
      i++
    } else {
      out.push([added as string, 'added'])
      j++
    }
  }
  return out
}
