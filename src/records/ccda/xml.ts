// Small readers over an xmldom DOM of a CDA document (namespace urn:hl7-org:v3). Pure.
import type { Element as XmlElement, Node as XmlNode } from '@xmldom/xmldom';

export const CDA_NS = 'urn:hl7-org:v3';
const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_NODE = 4;

export type El = XmlElement;

export function childElements(parent: El | null | undefined, name?: string): El[] {
  if (!parent) return [];
  const out: El[] = [];
  for (let node: XmlNode | null = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === ELEMENT_NODE && (name === undefined || (node as El).localName === name)) out.push(node as El);
  }
  return out;
}

export function child(parent: El | null | undefined, name: string): El | null {
  return childElements(parent, name)[0] ?? null;
}

/** The first element along a path of child names. */
export function path(parent: El | null | undefined, ...names: string[]): El | null {
  let current: El | null | undefined = parent;
  for (const name of names) current = child(current, name);
  return current ?? null;
}

export function attr(element: El | null | undefined, name: string): string | null {
  const value = element?.getAttribute(name);
  return value === null || value === undefined || value.trim() === '' ? null : value.trim();
}

export function textOf(element: El | null | undefined): string {
  if (!element) return '';
  let out = '';
  for (let node: XmlNode | null = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === TEXT_NODE || node.nodeType === CDATA_NODE) out += node.nodeValue ?? '';
    else if (node.nodeType === ELEMENT_NODE) out += textOf(node as El);
  }
  return out;
}

// Narrative blocks that start a new line when the narrative is read as plain text.
const BLOCKS = new Set(['paragraph', 'item', 'tr', 'br', 'caption', 'thead', 'tbody', 'list', 'table', 'content', 'section', 'title']);

/** A CDA narrative block as readable plain text: table cells separated by " | ", blocks on their own lines. */
export function narrativeText(element: El | null | undefined): string {
  if (!element) return '';
  const lines: string[] = [];
  let line = '';
  const flush = () => {
    const clean = line.replace(/[ \t\r\n]+/g, ' ').trim();
    if (clean) lines.push(clean);
    line = '';
  };
  const walk = (node: XmlNode) => {
    for (let n: XmlNode | null = node.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === TEXT_NODE || n.nodeType === CDATA_NODE) line += n.nodeValue ?? '';
      else if (n.nodeType === ELEMENT_NODE) {
        const name = (n as El).localName ?? '';
        if (name === 'td' || name === 'th') {
          if (line.trim()) line += ' | ';
          walk(n);
        } else if (BLOCKS.has(name) && name !== 'content') {
          flush();
          walk(n);
          flush();
        } else walk(n);
      }
    }
  };
  walk(element);
  flush();
  return lines.join('\n');
}
