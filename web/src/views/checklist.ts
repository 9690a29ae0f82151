// What's missing: each leaflet category (there, missing, incomplete) and the events whose record is
// absent, each with the organization to ask and a "Request" button that opens the request form
// prefilled with it (web/src/views/requests.ts).
import { api } from '../api.js';
import { h, replace, uid } from '../dom.js';
import { formatDate, formatDateRange, plural } from '../format.js';
import type { ChecklistCategory, ChecklistGap, ChecklistState } from '../types.js';
import { banner, loading, pageHeading, type ViewContext } from '../view.js';

const STATE_LABEL: Record<ChecklistState, string> = { have: 'Have', missing: 'Missing', incomplete: 'Incomplete' };
const STATE_CLASS: Record<ChecklistState, string> = { have: 'status-active', missing: 'status-error', incomplete: 'status-needs-relink' };

/** The request form's address, prefilled with these categories and gaps. */
export function requestFormPath(categories: readonly string[], gaps: readonly string[] = []): string {
  const query = new URLSearchParams();
  if (categories.length) query.set('categories', categories.join(','));
  if (gaps.length) query.set('gaps', gaps.join(','));
  return `/requests/new?${query.toString()}`;
}

export async function renderChecklist(ctx: ViewContext): Promise<void> {
  const body = h('div', null, loading('Checking your binder…'));
  replace(
    ctx.main,
    pageHeading("What's missing"),
    h('p', { class: 'hint' }, 'What your binder holds for each part of the leaflet, and the records that seem to be missing: you can ask the hospital for them.'),
    body,
  );
  const { categories, gaps } = await api.checklist(ctx.signal);
  const request = (path: string) => h('button', { type: 'button', class: 'button small', on: { click: () => ctx.navigate(path) } }, 'Request');

  const gapItem = (gap: ChecklistGap) => {
    const id = uid('gap');
    const org = gap.organization;
    return h(
      'li',
      { class: 'card checklist-gap', 'data-gap': gap.id, 'aria-labelledby': id },
      h('h3', { id }, gap.event.title, ' ', h('span', { class: 'item-date' }, formatDateRange(gap.event.date, gap.event.endDate))),
      h('p', null, gap.reason, '.'),
      org
        ? h('p', { class: 'hint' }, 'Ask: ', h('strong', null, org.name), [org.address, org.phone && `phone ${org.phone}`, org.fax && `fax ${org.fax}`].filter(Boolean).map((part) => `, ${part}`))
        : h('p', { class: 'hint' }, 'The records do not say where this was done.'),
      request(requestFormPath([], [gap.id])),
    );
  };

  const categoryRow = (category: ChecklistCategory) =>
    h(
      'tr',
      { 'data-category': category.id },
      h('th', { scope: 'row' }, h('a', { href: `/binder#cat-${category.id}` }, category.title)),
      h('td', null, h('span', { class: `status ${STATE_CLASS[category.status]}` }, STATE_LABEL[category.status])),
      h('td', null, category.count ? `${plural(category.count, 'record')}, latest ${formatDate(category.lastDate) || 'undated'}` : 'Nothing filed'),
      h('td', null, category.status === 'have' ? null : request(requestFormPath([category.id], gaps.filter((gap) => gap.category === category.id).map((gap) => gap.id)))),
    );

  replace(
    body,
    h(
      'section',
      { 'aria-labelledby': 'gaps-heading' },
      h('h2', { id: 'gaps-heading' }, 'Records that seem to be missing'),
      gaps.length
        ? h('ul', { class: 'checklist-gaps' }, gaps.map(gapItem))
        : banner('success', 'Every operation, hospital stay, biopsy, imaging exam and radiation course in your binder has its report.'),
    ),
    h(
      'section',
      { 'aria-labelledby': 'categories-heading' },
      h('h2', { id: 'categories-heading' }, 'The leaflet’s categories'),
      h(
        'table',
        { class: 'checklist' },
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Category'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'In your binder'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Action')))),
        h('tbody', null, categories.map(categoryRow)),
      ),
    ),
    h('p', null, h('a', { href: '/requests' }, 'Your records requests'), ' · ', h('a', { href: requestFormPath([]) }, 'New request')),
  );
}
