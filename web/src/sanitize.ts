// FHIR narrative (text.div) is XHTML written by another party's server: show it only after DOMPurify
// has removed anything active. What stays is text, tables, lists and links.
import DOMPurify from 'dompurify';
import { stripEventHandlerAttributes } from './markup.js';

const FORBID_TAGS = ['script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'form', 'input', 'button', 'select', 'option', 'textarea', 'link', 'meta', 'base', 'svg', 'math', 'template', 'video', 'audio', 'source', 'track', 'dialog'];
const FORBID_ATTR = ['style', 'class', 'id', 'srcset', 'action', 'formaction', 'target', 'ping', 'background'];

let hooked = false;

function addHooks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node instanceof HTMLAnchorElement && node.hasAttribute('href')) {
      node.setAttribute('rel', 'noopener noreferrer');
      // Narrative links leave the app: open them beside it.
      node.setAttribute('target', '_blank');
    }
    // Images from elsewhere would tell a third party that this record was opened; inline ones are fine.
    if (node instanceof HTMLImageElement && !/^data:image\/(png|jpeg|gif|webp);/i.test(node.getAttribute('src') ?? '')) {
      node.remove();
    }
  });
}

/** The narrative as a fragment that is safe to insert. */
export function sanitizeNarrative(html: string): DocumentFragment {
  addHooks();
  return DOMPurify.sanitize(stripEventHandlerAttributes(html), {
    RETURN_DOM_FRAGMENT: true,
    FORBID_TAGS,
    FORBID_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
    USE_PROFILES: { html: true },
  });
}
