// The binder: the leaflet's eleven categories in order, each with its recent records,
// "Show all" / "Load more" paging, and filters by portal and date.
import { api, isAbort } from '../api.js';
import { announce, type Child, h, replace, uid } from '../dom.js';
import { formatDate, plural } from '../format.js';
import { itemView } from '../items.js';
import type { Binder, CategorySummary, Item, RecordFilter } from '../types.js';
import { filterQuery, readFilter } from '../urls.js';
import { loading, pageHeading, type ViewContext } from '../view.js';
import { openDetail } from './detail.js';

export async function renderBinder(ctx: ViewContext): Promise<void> {
  const filter = readFilter(ctx.url.search);
  const message = h('div', { class: 'form-message' });
  const body = h('div', null, loading('Loading your binder…'));
  replace(ctx.main, pageHeading('Your binder'), message, body);

  let binder: Binder;
  try {
    binder = await api.record(filter, ctx.signal);
  } catch (error) {
    if (!isAbort(error)) ctx.fail(error, body);
    return;
  }

  const total = binder.categories.reduce((sum, category) => sum + category.count, 0);
  const open = (item: Item, trigger: HTMLElement) => openDetail(item, trigger, ctx.signal, ctx.fail);
  replace(
    body,
    filterForm(binder, filter, ctx),
    h('p', { class: 'summary', role: 'status' }, summaryText(total, binder, filter)),
    total === 0 && !filter.portal && !filter.from && !filter.to
      ? h(
          'p',
          { class: 'card' },
          'Your binder is empty. ',
          h('a', { href: '/portals' }, 'Link a hospital portal'),
          ', ',
          h('a', { href: '/uploads' }, 'upload the copies a hospital gave you'),
          ' or ',
          h('a', { href: '/add' }, 'add your own'),
          ', and carebinder will file your records here.',
        )
      : null,
    h(
      'nav',
      { class: 'toc', 'aria-label': 'Categories' },
      h(
        'ol',
        null,
        binder.categories.map((category) => h('li', null, h('a', { href: `#cat-${category.id}` }, category.title), ' ', h('span', { class: 'count-inline' }, `(${category.count})`))),
      ),
    ),
    binder.categories.map((category) => categorySection(category, filter, ctx, open)),
  );
}

/** An empty category: when a filter is on, the filter is why (and one click takes it off). */
function emptyText(filter: RecordFilter, ctx: ViewContext): Child {
  if (!filter.portal && !filter.from && !filter.to) return 'Nothing filed here yet.';
  return ['Nothing here matches the filters. ', h('a', { href: ctx.url.pathname }, 'Clear filters'), ' to see everything filed here.'];
}

function summaryText(total: number, binder: Binder, filter: RecordFilter): string {
  const parts = [`${plural(total, 'record')} in ${binder.categories.length} categories`];
  const portal = filter.portal ? (binder.portals.find((p) => p.id === filter.portal)?.name ?? filter.portal) : null;
  if (portal) parts.push(`from ${portal}`);
  if (filter.from) parts.push(`from ${formatDate(filter.from)}`);
  if (filter.to) parts.push(`up to ${formatDate(filter.to)}`);
  return `${parts.join(', ')}.`;
}

function filterForm(binder: Binder, filter: RecordFilter, ctx: ViewContext): HTMLFormElement {
  const portalId = uid('filter-portal');
  const fromId = uid('filter-from');
  const toId = uid('filter-to');
  const portal = h(
    'select',
    { id: portalId, name: 'portal' },
    h('option', { value: '' }, 'All portals'),
    binder.portals.map((p) => h('option', { value: p.id, selected: p.id === filter.portal }, p.name)),
  );
  const from = h('input', { id: fromId, name: 'from', type: 'date', value: filter.from ?? '' });
  const to = h('input', { id: toId, name: 'to', type: 'date', value: filter.to ?? '' });
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter the binder' },
    h('p', { class: 'field' }, h('label', { for: portalId }, 'Portal'), portal),
    h('p', { class: 'field' }, h('label', { for: fromId }, 'From'), from),
    h('p', { class: 'field' }, h('label', { for: toId }, 'To'), to),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'button' }, 'Apply filters'),
      filter.portal || filter.from || filter.to ? h('a', { href: ctx.url.pathname, class: 'button secondary' }, 'Clear filters') : null,
      h('a', { href: `/print${filterQuery(filter)}`, class: 'button secondary' }, 'Print view'),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next: RecordFilter = {};
    if (portal.value) next.portal = portal.value;
    if (from.value) next.from = from.value;
    if (to.value) next.to = to.value;
    ctx.navigate(`${ctx.url.pathname}${filterQuery(next)}`);
  });
  return form;
}

function categorySection(category: CategorySummary, filter: RecordFilter, ctx: ViewContext, open: (item: Item, trigger: HTMLElement) => void): HTMLElement {
  const headingId = `cat-${category.id}-heading`;
  const list = h('ul', { class: 'items' }, category.items.map((item) => itemView(item, { onOpen: open })));
  const more = h('div', { class: 'actions' });
  let next: string | null = null;
  let loaded = category.items.length;
  let paging = false;

  const shownText = () => (loaded < category.count ? `Showing ${loaded} of ${category.count}.` : '');
  const status = h('p', { class: 'hint shown' }, shownText());

  async function loadPage(button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      const page = await api.category(category.id, filter, paging ? next : null, ctx.signal);
      const items = page.items.map((item) => itemView(item, { onOpen: open }));
      if (!paging) {
        // The first page replaces the recent items it repeats.
        replace(list, items);
        paging = true;
        loaded = page.items.length;
      } else {
        list.append(...items);
        loaded += page.items.length;
      }
      next = page.next;
      status.textContent = shownText();
      renderMore();
      announce(`${category.title}: showing ${loaded} of ${page.count}.`);
      // Move on to the first new record so keyboard users continue where they were reading.
      items[0]?.querySelector<HTMLElement>('.item-title')?.focus();
    } catch (error) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
      if (!isAbort(error)) ctx.fail(error, status);
    }
  }

  function renderMore(): void {
    const remaining = paging ? next !== null : category.count > category.items.length;
    if (!remaining) {
      replace(more);
      return;
    }
    const label = paging ? 'Load more' : `Show all ${category.count}`;
    replace(
      more,
      h(
        'button',
        {
          type: 'button',
          class: 'button secondary',
          // The visible words first, so speech input can say what it sees.
          'aria-label': `${label} — ${category.title}`,
          on: { click: (event) => void loadPage(event.currentTarget as HTMLButtonElement) },
        },
        label,
      ),
    );
  }
  renderMore();

  return h(
    'section',
    { class: 'category', id: `cat-${category.id}`, 'aria-labelledby': headingId, 'data-category': category.id },
    h('h2', { id: headingId }, category.title, ' ', h('span', { class: 'count', 'data-count': category.count }, String(category.count)), h('span', { class: 'visually-hidden' }, category.count === 1 ? ' record' : ' records')),
    h('p', { class: 'description' }, category.description),
    category.count === 0 && category.items.length === 0 ? h('p', { class: 'empty' }, emptyText(filter, ctx)) : list,
    status,
    more,
  );
}
