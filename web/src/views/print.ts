// The whole binder laid out for paper: every record of every category, the treatment summary and
// side effects, with the patient's email and the print date on top. Documents print under their
// record as the binder PDF prints them: images inline, text (HTML and XML as their text), PDFs by
// their address; a document two records share prints once. The print stylesheet does the rest.
import { api, isAbort } from '../api.js';
import { announce, h, replace } from '../dom.js';
import { formatDate, formatDateTime, plural } from '../format.js';
import { itemView } from '../items.js';
import type { Binder, CategorySummary, Item, ItemDocument, RecordFilter } from '../types.js';
import { filterQuery, readFilter } from '../urls.js';
import { loading, pageHeading, type ViewContext } from '../view.js';
import { treatmentSections } from './treatment.js';

/** Enough for any real binder; a runaway cursor must not keep the page loading forever. */
const MAX_PAGES_PER_CATEGORY = 100;

export async function renderPrint(ctx: ViewContext): Promise<void> {
  const filter = readFilter(ctx.url.search);
  const printButton = h('button', { type: 'button', class: 'button', disabled: true, on: { click: () => window.print() } }, 'Print');
  const progress = loading('Collecting every record…');
  const body = h('div', { class: 'print-body' });
  const meta = h(
    'p',
    { class: 'print-meta' },
    ctx.me ? [h('span', null, `Prepared for ${ctx.me.email}`), h('br')] : null,
    h('span', null, `Printed ${formatDateTime(new Date().toISOString())}`),
  );
  replace(
    ctx.main,
    h(
      'div',
      { class: 'print-toolbar no-print' },
      h('a', { href: `/binder${filterQuery(filter)}` }, '← Back to the binder'),
      printButton,
    ),
    pageHeading('Health records binder'),
    meta,
    progress,
    body,
  );

  try {
    const binder = await api.record(filter, ctx.signal);
    const categories: CategorySummary[] = [];
    for (const [index, category] of binder.categories.entries()) {
      progress.textContent = `Collecting every record… ${category.title} (${index + 1} of ${binder.categories.length})`;
      categories.push(await allItems(category, filter, ctx.signal));
    }
    const only = filterText(filter, binder);
    if (only) meta.append(h('br'), h('span', null, only));
    const documents: Array<Promise<void>> = [];
    const printed = new Map<string, string>();
    const item = (one: Item) => withDocuments(one, printed, documents, ctx.signal);
    replace(body, contents(binder, categories), categories.map((c) => categorySection(c, item)), treatmentPart(binder));
    progress.textContent = 'Collecting the documents…';
    await Promise.all(documents);
    progress.remove();
    printButton.disabled = false;
    const total = categories.reduce((sum, c) => sum + c.items.length, 0);
    announce(`Ready to print: ${plural(total, 'record')}.`);
  } catch (error) {
    if (!isAbort(error)) ctx.fail(error, progress);
  }
}

async function allItems(category: CategorySummary, filter: RecordFilter, signal: AbortSignal): Promise<CategorySummary> {
  if (category.items.length >= category.count) return category;
  const items = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES_PER_CATEGORY; page += 1) {
    const result = await api.category(category.id, filter, cursor, signal);
    items.push(...result.items);
    cursor = result.next;
    if (!cursor) break;
  }
  return { ...category, items };
}

function filterText(filter: RecordFilter, binder: Binder): string {
  const parts: string[] = [];
  if (filter.portal) parts.push(`from ${binder.portals.find((p) => p.id === filter.portal)?.name ?? filter.portal}`);
  if (filter.from) parts.push(`dated from ${formatDate(filter.from)}`);
  if (filter.to) parts.push(`up to ${formatDate(filter.to)}`);
  return parts.length ? `Only records ${parts.join(', ')}.` : '';
}

function contents(binder: Binder, categories: readonly CategorySummary[]): HTMLElement {
  return h(
    'nav',
    { class: 'toc', 'aria-label': 'Contents' },
    h('h2', null, 'Contents'),
    h(
      'ol',
      null,
      categories.map((c) => h('li', null, `${c.title} (${c.count})`)),
      h('li', null, `Treatment summary (${binder.treatmentSummary.medicines.length + binder.treatmentSummary.radiation.length} treatments, ${plural(binder.sideEffects.length, 'side effect')})`),
    ),
  );
}

/** Past this, a text document prints its beginning: the whole is at its address. */
const TEXT_MAX = 100_000;

function withDocuments(item: Item, printed: Map<string, string>, pending: Array<Promise<void>>, signal: AbortSignal): HTMLElement {
  const li = itemView(item, { forPrint: true });
  for (const doc of item.documents) {
    const box = h('div', { class: 'print-document' });
    li.append(box);
    const first = printed.get(doc.id);
    if (first !== undefined) box.append(`${doc.title ?? 'This document'} is printed above, under “${first}”.`);
    else {
      printed.set(doc.id, item.title);
      pending.push(documentBody(box, doc, signal).catch(() => box.append('Not loaded: open it at its address above.')));
    }
  }
  return li;
}

async function documentBody(box: HTMLElement, doc: ItemDocument, signal: AbortSignal): Promise<void> {
  const type = (doc.contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type.startsWith('image/')) box.append(h('img', { src: doc.url, alt: doc.title ?? 'Document', class: 'print-image' }));
  else if (type === 'application/pdf') box.append('A PDF: open it at its address above.');
  else if (type.startsWith('text/') || type.endsWith('xml') || type.endsWith('json')) {
    const response = await fetch(doc.url, { signal, credentials: 'same-origin' });
    if (!response.ok) throw new Error(String(response.status));
    let text = await response.text();
    // HTML and XML print as their text: parsed in an inert document (nothing runs or loads), tags dropped.
    if (/html|xml/.test(type)) text = new DOMParser().parseFromString(text, type.includes('html') ? 'text/html' : 'application/xml').documentElement.textContent ?? '';
    text = text.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
    box.append(h('pre', { class: 'print-text' }, text.length > TEXT_MAX ? `${text.slice(0, TEXT_MAX)}\n…` : text));
  }
}

function categorySection(category: CategorySummary, item: (one: Item) => HTMLElement): HTMLElement {
  const headingId = `print-${category.id}-heading`;
  return h(
    'section',
    { class: 'category print-category', 'aria-labelledby': headingId, 'data-category': category.id },
    h('h2', { id: headingId }, category.title, ' ', h('span', { class: 'count', 'data-count': category.count }, String(category.count))),
    h('p', { class: 'description' }, category.description),
    category.items.length
      ? h('ul', { class: 'items' }, category.items.map(item))
      : h('p', { class: 'empty' }, 'Nothing filed here.'),
  );
}

function treatmentPart(binder: Binder): HTMLElement {
  return h(
    'section',
    { class: 'print-category', 'aria-labelledby': 'print-treatment-heading' },
    h('h2', { id: 'print-treatment-heading' }, 'Treatment summary'),
    treatmentSections(binder, 'h3'),
  );
}
