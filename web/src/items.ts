// One record in a list: title, date, status, key values, source badges, documents.
// Shared by the binder (interactive) and the print view (documents with their full address).
import { type Child, facts, h } from './dom.js';
import {
  doseParts,
  formatDateRange,
  formatInterpretation,
  formatReferenceRange,
  formatValue,
  humanize,
  isAbnormalInterpretation,
} from './format.js';
import type { Item, ItemDocument, Source } from './types.js';
import { documentBytesPath, documentViewerPath } from './urls.js';

export function sourceBadges(sources: readonly Source[]): HTMLElement | null {
  if (sources.length === 0) return null;
  return h(
    'ul',
    { class: 'badges', 'aria-label': 'From' },
    sources.map((source) => h('li', { class: 'badge', 'data-portal': source.portalId }, source.portalName)),
  );
}

function documentLinks(documents: readonly ItemDocument[], forPrint: boolean, recordId: string): HTMLElement | null {
  if (documents.length === 0) return null;
  return h(
    'ul',
    { class: 'documents', 'aria-label': 'Documents' },
    documents.map((doc) => {
      const name = doc.title ?? 'Document';
      const type = doc.contentType ? ` (${doc.contentType.split(';')[0]})` : '';
      // Printed: the address someone can type in later. On screen: the in-app viewer.
      const href = forPrint ? new URL(documentBytesPath(doc.id), window.location.origin).href : documentViewerPath(doc, recordId);
      return h('li', null, h('a', { href, class: forPrint ? 'doc-link print-url' : 'doc-link' }, name), type);
    }),
  );
}

/** The key values of a record: a result with its range, or a medicine's dose. */
export function keyValues(item: Item): HTMLElement | null {
  const rows: Array<{ label: string; value: Child }> = [];
  if (item.value) {
    const flag = formatInterpretation(item.value.interpretation);
    const abnormal = isAbnormalInterpretation(item.value.interpretation);
    rows.push({
      label: 'Result',
      value: [formatValue(item.value), flag ? h('span', { class: abnormal ? 'flag flag-abnormal' : 'flag' }, ` ${flag}`) : null],
    });
    rows.push({ label: 'Normal range', value: formatReferenceRange(item.value.referenceRange, item.value.unit) });
  }
  for (const part of doseParts(item.dose)) rows.push(part);
  return facts(rows, 'facts facts-inline');
}

export interface ItemViewOptions {
  /** Called when the reader asks for the record's details; no button without it (print). */
  onOpen?: (item: Item, trigger: HTMLElement) => void;
  forPrint?: boolean;
}

export function itemView(item: Item, options: ItemViewOptions = {}): HTMLLIElement {
  const when = formatDateRange(item.date, item.endDate);
  const title = options.onOpen
    ? h('button', { type: 'button', class: 'link-button item-title', on: { click: (event) => options.onOpen?.(item, event.currentTarget as HTMLElement) } }, item.title)
    : h('span', { class: 'item-title' }, item.title);
  return h(
    'li',
    { class: 'item', 'data-item-id': item.id },
    h(
      'div',
      { class: 'item-head' },
      h('h3', { class: 'item-heading' }, title),
      when ? h('span', { class: 'item-date' }, item.date ? h('time', { datetime: item.date }, when) : when) : null,
      item.status ? h('span', { class: 'status' }, humanize(item.status)) : null,
    ),
    keyValues(item),
    documentLinks(item.documents, options.forPrint ?? false, item.id),
    sourceBadges(item.sources),
  );
}
