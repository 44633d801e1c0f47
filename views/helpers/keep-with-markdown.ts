// {{#keepWithMarkdown measure.whatToDo 5 empty="Inte beskrivet."}}<h4>…</h4>{{/keepWithMarkdown}} — the block,
// then the text as Markdown (headings at or below the level, `empty` when there is none). The block and the
// text's first lines are wrapped in `.report-keep`, which the report keeps on one page: a heading or a label
// never ends a page, while the rest of a long text still breaks across pages.
import Handlebars from 'handlebars'
import { renderMarkdownLead } from '../../server/markdown.js'

export default function keepWithMarkdown(this: unknown, source: unknown, ...rest: unknown[]): Handlebars.SafeString {
  const options = rest.at(-1) as Handlebars.HelperOptions
  const level = typeof rest[0] === 'number' ? rest[0] : undefined
  const text = renderMarkdownLead(typeof source === 'string' ? source : '', level)
  const empty = !text.lead && !text.rest
  const lead = empty ? `<p>${Handlebars.escapeExpression(String(options.hash.empty ?? ''))}</p>` : text.lead
  return new Handlebars.SafeString(`<div class="report-keep">${options.fn(this)}${lead}</div>${text.rest}`)
}
