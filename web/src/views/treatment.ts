// The treatment summary: cancer medicines, radiation courses and side effects as tables.
// The tables are shared with the print view.
import { api, isAbort } from '../api.js';
import { type Child, h, replace, uid } from '../dom.js';
import { doseCountLines, formatDate, formatGray, formatNumber, humanize } from '../format.js';
import { capitalize, continuationText, courseDates, fractionsText, linkedTreatmentText, sideEffectStatusText } from '../summary-text.js';
import type { Binder } from '../types.js';
import { readFilter } from '../urls.js';
import { loading, pageHeading, type ViewContext } from '../view.js';

export async function renderTreatment(ctx: ViewContext): Promise<void> {
  const body = h('div', null, loading('Loading your treatment summary…'));
  replace(
    ctx.main,
    pageHeading('Treatment summary'),
    h('p', { class: 'lead' }, 'Cancer medicines, radiation therapy and side effects, put together from the records of all your portals.'),
    body,
  );
  try {
    const binder = await api.record(readFilter(ctx.url.search), ctx.signal);
    // What the records do not know, the patient can say (not in print: a link there leads nowhere).
    replace(body, treatmentSections(binder, 'h2'), h('p', null, h('a', { href: '/add?kind=side-effect' }, 'Add a side effect you had'), ', and whether it continued after treatment.'));
  } catch (error) {
    if (!isAbort(error)) ctx.fail(error, body);
  }
}

type Heading = 'h2' | 'h3';

export function treatmentSections(binder: Binder, heading: Heading): HTMLElement[] {
  const known = new Map(binder.portals.map((p) => [p.id, p.name]));
  // Summaries name portals by name or id: show names, one a line.
  const badges = (portals: readonly string[]) => lines([...new Set(portals.map((portal) => known.get(portal) ?? portal))]);
  const { medicines, radiation } = binder.treatmentSummary;
  return [
    section(
      heading,
      'Cancer medicines',
      'medicines',
      medicines.length === 0
        ? 'No cancer medicines found in your records.'
        : table(
            'Cancer medicines, with doses and how long they were given',
            ['Medicine', 'Doses', 'Route', 'Frequency', 'First given', 'Last given', 'Administrations', 'Cycles', 'Status', 'Portals'],
            medicines.map((m) => [
              capitalize(m.ingredient),
              lines(doseCountLines(m.doses)),
              m.route ?? '',
              m.frequency ?? '',
              formatDate(m.firstDate),
              formatDate(m.lastDate),
              formatNumber(m.administrations),
              formatNumber(m.cycles),
              humanize(m.status),
              badges(m.portals),
            ]),
            { numeric: [6, 7], nowrap: [4, 5] },
          ),
    ),
    section(
      heading,
      'Radiation therapy',
      'radiation',
      radiation.length === 0
        ? 'No radiation therapy found in your records.'
        : table(
            'Radiation therapy courses',
            ['Site', 'Technique', 'Total dose', 'Fractions', 'Dates', 'Portals'],
            radiation.map((c) => [capitalize(c.site ?? 'Site not recorded'), c.modality ?? '', formatGray(c.totalDoseGy), fractionsText(c), courseDates(c), badges(c.portals)]),
            { numeric: [2, 3], nowrap: [4] },
          ),
    ),
    section(
      heading,
      'Side effects',
      'side-effects',
      binder.sideEffects.length === 0
        ? 'No treatment side effects found in your records.'
        : table(
            'Treatment side effects, and whether they continued after treatment',
            ['Side effect', 'First noted', 'Linked treatment', 'Continued after treatment?', 'Status', 'Portals'],
            binder.sideEffects.map((s) => [
              capitalize(s.what),
              formatDate(s.firstNoted),
              linkedTreatmentText(s),
              h('span', { class: `continued continued-${s.continuedAfterTreatment}` }, continuationText(s.continuedAfterTreatment)),
              sideEffectStatusText(s),
              badges(s.portals),
            ]),
            { nowrap: [1] },
          ),
    ),
  ];
}

function lines(values: readonly string[]): HTMLElement | '' {
  return values.length ? h('ul', { class: 'plain lines' }, values.map((value) => h('li', null, value))) : '';
}

function section(heading: Heading, title: string, key: string, content: Child): HTMLElement {
  const id = uid(`ts-${key}`);
  return h(
    'section',
    { class: 'treatment-section', 'aria-labelledby': id, 'data-summary': key },
    h(heading, { id }, title),
    typeof content === 'string' ? h('p', { class: 'empty' }, content) : content,
  );
}

/**
 * A data table; the first cell of each row names it. Every column fits the page: headers wrap, and
 * on narrow screens each row becomes a card whose cells carry their column's name (data-label).
 */
function table(
  caption: string,
  headers: readonly string[],
  rows: ReadonlyArray<readonly Child[]>,
  columns: { numeric?: readonly number[]; nowrap?: readonly number[] } = {},
): HTMLElement {
  const captionId = uid('caption');
  const numeric = columns.numeric ?? [];
  const className = (index: number) => [numeric.includes(index) ? 'num' : '', columns.nowrap?.includes(index) ? 'nowrap' : ''].join(' ').trim() || null;
  const cell = (value: Child, index: number) =>
    index === 0
      ? h('th', { scope: 'row' }, value)
      : h('td', { class: className(index), 'data-label': headers[index] ?? '' }, value === '' || value === null ? [h('span', { class: 'unknown', 'aria-hidden': 'true' }, '—'), h('span', { class: 'visually-hidden' }, 'not recorded')] : value);
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-labelledby': captionId, tabindex: 0 },
    h(
      'table',
      { class: 'summary-table' },
      h('caption', { id: captionId }, caption),
      h('thead', null, h('tr', null, headers.map((header, index) => h('th', { scope: 'col', class: className(index) }, header)))),
      h(
        'tbody',
        null,
        rows.map((row) => h('tr', null, row.map(cell))),
      ),
    ),
  );
}
