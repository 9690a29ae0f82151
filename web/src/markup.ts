// Text-level tidying of markup from elsewhere before it is parsed. Not a sanitiser (DOMPurify is):
// browsers report a CSP violation for every on*= attribute they parse, even in a document that never
// runs script, so handlers are dropped from the text first. Pure: unit-tested in Node.

const HANDLER = /([\s/"'])on[a-z0-9_-]*\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*)/gi;
const TAG_START = /[a-zA-Z/!?]/;

/** Drops on*= attributes from the tags of `html`. One linear pass; text outside tags is untouched. */
export function stripEventHandlerAttributes(html: string): string {
  let out = '';
  let at = 0;
  while (at < html.length) {
    const open = html.indexOf('<', at);
    if (open === -1) return out + html.slice(at);
    out += html.slice(at, open);
    if (!TAG_START.test(html.charAt(open + 1))) {
      // "a < b" in text: not a tag.
      out += '<';
      at = open + 1;
      continue;
    }
    // The tag runs to the first ">" outside a quoted value.
    let end = open + 1;
    let quote = '';
    for (; end < html.length; end += 1) {
      const c = html.charAt(end);
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") {
        quote = c;
      } else if (c === '>') {
        break;
      }
    }
    out += html.slice(open, end + 1).replace(HANDLER, '$1');
    at = end + 1;
  }
  return out;
}
