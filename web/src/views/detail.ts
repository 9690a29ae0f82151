// A record's details: a readable summary, the portal's own narrative (sanitised) and the raw FHIR JSON.
import { api, isAbort } from '../api.js';
import { openModal } from '../dialog.js';
import { facts, h, replace } from '../dom.js';
import { formatDateRange, formatDateTime, humanize } from '../format.js';
import { keyValues, sourceBadges } from '../items.js';
import { narrativeOf, resourceSummary } from '../resource-summary.js';
import { sanitizeNarrative } from '../sanitize.js';
import type { Item } from '../types.js';
import { documentViewerPath } from '../urls.js';
import { loading } from '../view.js';

export function openDetail(item: Item, trigger: HTMLElement, pageSignal: AbortSignal, fail: (error: unknown, where: HTMLElement) => void): void {
  const controller = new AbortController();
  const content = h('div', { class: 'detail' }, loading('Loading the record…'));
  const modal = openModal({ title: item.title, returnFocus: trigger, className: 'dialog-wide' }, content);
  const stop = () => controller.abort();
  pageSignal.addEventListener('abort', () => modal.close(), { once: true });
  void modal.closed.then(stop);

  void (async () => {
    try {
      const detail = await api.resource(item.id, controller.signal);
      const summary = resourceSummary(detail.resource);
      const narrative = narrativeOf(detail.resource);
      replace(
        content,
        h('h3', null, 'Summary'),
        facts([
          { label: 'Date', value: formatDateRange(item.date, item.endDate) },
          { label: 'Status', value: humanize(item.status) },
          ...summary.filter((row) => row.label !== 'Status' && row.label !== 'When'),
        ]),
        keyValues(item),
        item.documents.length
          ? h(
              'ul',
              { class: 'documents', 'aria-label': 'Documents' },
              item.documents.map((doc) => h('li', null, h('a', { href: documentViewerPath(doc, item.id), class: 'doc-link' }, doc.title ?? 'Document'))),
            )
          : null,
        h('h3', null, 'Where it came from'),
        sourceBadges(detail.sources),
        h(
          'ul',
          { class: 'plain' },
          detail.sources.map((source) =>
            h('li', null, `${source.portalName}, first fetched ${formatDateTime(source.firstSeenAt)}${source.removedAtSource ? `; no longer at the portal since ${formatDateTime(source.removedAtSource)}` : ''}`),
          ),
        ),
        narrative ? [h('h3', null, 'As the portal wrote it'), h('div', { class: 'narrative' }, sanitizeNarrative(narrative))] : null,
        h(
          'details',
          { class: 'raw' },
          h('summary', null, 'Raw FHIR JSON'),
          h('pre', { class: 'json', tabindex: 0, 'aria-label': 'Raw FHIR JSON' }, JSON.stringify(detail.resource, null, 2)),
        ),
      );
    } catch (error) {
      if (!isAbort(error)) fail(error, content);
    }
  })();
}
