// Records requests: the list (draft, sent, overdue, received, cancelled) with "Mark sent", "Mark
// received", "Cancel request" and "Download letter"; the patient's details the letter states; and the
// request form, prefilled from the checklist's "Request" (?categories=…&gaps=…).
import { api, errorMessage, letterUrl } from '../api.js';
import { announce, facts, h, replace, uid } from '../dom.js';
import { formatDate, formatDateRange, formatDateTime, plural } from '../format.js';
import type { ChecklistGap, NewRecordsRequest, PatientDetails, RecordsRequest, RecordsRequestUpdate } from '../types.js';
import { banner, loading, pageHeading, type ViewContext } from '../view.js';

type Shown = RecordsRequest['status'] | 'overdue';
const STATUS: Record<Shown, [label: string, className: string]> = {
  draft: ['Draft', ''],
  sent: ['Sent', 'status-syncing'],
  overdue: ['Overdue', 'status-error'],
  received: ['Received', 'status-active'],
  cancelled: ['Cancelled', ''],
};

function field(label: string, control: HTMLInputElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  control.id = uid('field');
  const hintId = hint ? uid('hint') : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('p', { class: 'field' }, h('label', { for: control.id }, label), control, hint ? h('span', { id: hintId, class: 'hint' }, hint) : null);
}

const input = (name: string, type: string, value: string | null | undefined, extra: Record<string, string | number | boolean> = {}) =>
  h('input', { name, type, value: value ?? '', ...extra });

// ---- the list and the patient's details

export async function renderRequests(ctx: ViewContext): Promise<void> {
  const message = h('div', { class: 'form-message' });
  const list = h('div', null, loading('Loading your requests…'));
  const details = h('div', null, loading('Loading your details…'));
  replace(
    ctx.main,
    pageHeading('Records requests'),
    h('p', { class: 'hint' }, 'Letters asking a hospital for your records under your HIPAA right of access. A provider must answer within 30 days of receiving one.'),
    h('p', null, h('a', { class: 'button', href: '/requests/new' }, 'New request'), ' ', h('a', { href: '/missing' }, "See what's missing")),
    message,
    h('section', { 'aria-labelledby': 'requests-heading' }, h('h2', { id: 'requests-heading' }, 'Your requests'), list),
    h('section', { id: 'details', 'aria-labelledby': 'details-heading' }, h('h2', { id: 'details-heading', tabindex: -1 }, 'Your details'), details),
  );
  const made = ctx.url.searchParams.get('made');
  if (made) replace(message, banner('success', 'Request made. Download the letter, sign it and send it; then mark it sent.'));

  const showList = (requests: RecordsRequest[]) => {
    const overdue = requests.filter((request) => request.overdue).length;
    replace(
      list,
      overdue ? banner('warning', `${plural(overdue, 'request is', 'requests are')} overdue: more than 30 days have passed since you sent ${overdue > 1 ? 'them' : 'it'}.`) : null,
      requests.length ? h('ul', { class: 'request-list' }, requests.map(item)) : h('p', { class: 'empty' }, 'No requests yet.'),
    );
  };

  const update = async (request: RecordsRequest, change: RecordsRequestUpdate, button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      const updated = await api.updateRequest(request.id, change);
      announce(`${request.organization.name}: ${STATUS[updated.overdue ? 'overdue' : updated.status][0]}.`);
      showList((await api.requests(ctx.signal)).requests);
    } catch (error) {
      button.disabled = false;
      ctx.fail(error, message);
    }
  };

  const item = (request: RecordsRequest) => {
    const shown: Shown = request.overdue ? 'overdue' : request.status;
    const [label, className] = STATUS[shown];
    const id = uid('request');
    const action = (text: string, change: RecordsRequestUpdate, secondary = false) =>
      h('button', { type: 'button', class: `button small${secondary ? ' secondary' : ''}`, on: { click: (event) => void update(request, change, event.currentTarget as HTMLButtonElement) } }, text);
    const open = request.status === 'draft' || request.status === 'sent';
    return h(
      'li',
      { class: 'card request', 'data-request': request.id, 'data-status': shown, 'aria-labelledby': id },
      h('h3', { id }, request.organization.name, ' ', h('span', { class: `status ${className}` }, label)),
      h('ul', null, request.askedFor.map((line) => h('li', null, line))),
      facts([
        { label: 'Made', value: formatDateTime(request.createdAt) },
        ...(request.from || request.to ? [{ label: 'Dates', value: formatDateRange(request.from, request.to) }] : []),
        ...(request.sentAt ? [{ label: 'Sent', value: formatDate(request.sentAt.slice(0, 10)) }] : []),
        ...(request.dueAt && request.status === 'sent' ? [{ label: 'Due', value: formatDate(request.dueAt.slice(0, 10)) }] : []),
        ...(request.receivedAt ? [{ label: 'Received', value: formatDate(request.receivedAt.slice(0, 10)) }] : []),
      ], 'facts facts-inline'),
      h(
        'div',
        { class: 'actions' },
        h('a', { class: 'button small secondary', href: letterUrl(request.id), download: '' }, 'Download letter'),
        request.status === 'draft' ? action('Mark sent', { status: 'sent' }) : null,
        request.status === 'sent' ? action('Mark received', { status: 'received' }) : null,
        open ? action('Cancel request', { status: 'cancelled' }, true) : null,
      ),
    );
  };

  const [requests, saved] = await Promise.all([api.requests(ctx.signal), api.details(ctx.signal)]);
  showList(requests.requests);
  replace(details, detailsForm(saved));
}

/** The details a letter states: saved values, else what the portals propose (saving keeps them). */
function detailsForm(details: PatientDetails): HTMLElement {
  const value = (key: 'name' | 'birthDate' | 'address' | 'phone') => details[key] ?? details.proposed[key];
  const name = input('name', 'text', value('name'), { autocomplete: 'name', maxlength: 200 });
  const birthDate = input('birthDate', 'date', value('birthDate'), { autocomplete: 'bday' });
  const address = h('textarea', { name: 'address', rows: 2, maxlength: 500, autocomplete: 'street-address' }, value('address') ?? '');
  const phone = input('phone', 'tel', value('phone'), { autocomplete: 'tel', maxlength: 50 });
  const message = h('div', { class: 'form-message' });
  const proposed = details.name === null && Object.values(details.proposed).some(Boolean);
  const form = h(
    'form',
    { class: 'card details-form', novalidate: true, 'aria-labelledby': 'details-heading' },
    h('p', { class: 'hint' }, proposed ? 'Proposed from your portals: check them and save.' : 'Your letters state these details.'),
    field('Name', name),
    field('Birth date', birthDate),
    field('Address', address, 'Where the provider should send a paper copy.'),
    field('Phone', phone),
    details.recordNumbers.length
      ? h('p', { class: 'hint' }, 'Medical record numbers from your portals: ', details.recordNumbers.map((number) => `${number.value} (${number.source})`).join('; '))
      : null,
    message,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Save details')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = form.querySelector('button')!;
    button.disabled = true;
    const text = (control: HTMLInputElement | HTMLTextAreaElement) => control.value.trim() || null;
    api
      .saveDetails({ name: text(name), birthDate: text(birthDate), address: text(address), phone: text(phone) })
      .then(() => replace(message, banner('success', 'Details saved.')))
      .catch((error: unknown) => replace(message, banner('error', errorMessage(error))))
      .finally(() => {
        button.disabled = false;
      });
  });
  return form;
}

// ---- the request form

export async function renderRequestForm(ctx: ViewContext): Promise<void> {
  const body = h('div', null, loading('Loading…'));
  replace(ctx.main, pageHeading('New records request'), h('p', null, h('a', { href: '/missing' }, "← What's missing")), body);
  const [checklist, details] = await Promise.all([api.checklist(ctx.signal), api.details(ctx.signal)]);
  const listed = (name: string) => new Set((ctx.url.searchParams.get(name) ?? '').split(',').filter(Boolean));
  const wantedCategories = listed('categories');
  const wantedGaps = listed('gaps');
  const prefill = checklist.gaps.find((gap) => wantedGaps.has(gap.id) && gap.organization)?.organization;

  const orgName = input('organization', 'text', prefill?.name, { required: true, maxlength: 200, autocomplete: 'organization' });
  const orgAddress = h('textarea', { name: 'organizationAddress', rows: 2, maxlength: 500 }, prefill?.address ?? '');
  const orgFax = input('fax', 'tel', prefill?.fax, { maxlength: 50 });
  const orgEmail = input('email', 'email', '', { maxlength: 254 });
  const from = input('from', 'date', '');
  const to = input('to', 'date', '');
  const check = (name: string, value: string, checked: boolean, label: string) => {
    const box = h('input', { type: name === 'delivery' ? 'radio' : 'checkbox', name, value, checked });
    return h('li', null, h('label', { class: 'check' }, box, ' ', label));
  };
  const gapLabel = (gap: ChecklistGap) => `${gap.event.title} (${formatDateRange(gap.event.date, gap.event.endDate) || 'undated'}): ${gap.reason.toLowerCase()}`;
  const message = h('div', { class: 'form-message' });
  const who = [details.name ?? details.proposed.name, details.birthDate ?? details.proposed.birthDate, details.address ?? details.proposed.address].filter(Boolean).join(', ');

  const form = h(
    'form',
    { class: 'card request-form', novalidate: true, 'aria-labelledby': 'page-title' },
    h('fieldset', null, h('legend', null, 'Who to ask'), field('Provider', orgName), field('Address', orgAddress), field('Fax', orgFax), field('Email', orgEmail)),
    checklist.gaps.length
      ? h('fieldset', null, h('legend', null, 'Missing records to ask for'), h('ul', { class: 'checks' }, checklist.gaps.map((gap) => check('gap', gap.id, wantedGaps.has(gap.id), gapLabel(gap)))))
      : null,
    h('fieldset', null, h('legend', null, 'Categories to ask for'), h('ul', { class: 'checks' }, checklist.categories.map((c) => check('category', c.id, wantedCategories.has(c.id), `${c.title} (${c.status === 'have' ? 'have' : c.status})`)))),
    h('fieldset', null, h('legend', null, 'Dates (optional)'), field('From', from), field('To', to)),
    h(
      'fieldset',
      null,
      h('legend', null, 'How you want the copy'),
      h('ul', { class: 'checks' }, check('delivery', 'electronic', true, 'Electronic copy (preferred)'), check('delivery', 'paper', false, 'Paper copy by mail'), check('delivery', 'pickup', false, 'Pick up in person')),
    ),
    h('p', { class: 'hint' }, 'The letter states: ', who || 'no details yet', '. ', h('a', { href: '/requests#details' }, 'Change your details'), '.'),
    message,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Make request')),
  );
  replace(body, form);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = (name: string) => [...form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((box) => box.value);
    const optional = (control: HTMLInputElement | HTMLTextAreaElement) => control.value.trim() || undefined;
    if (!orgName.value.trim()) {
      replace(message, banner('error', 'Name the provider to ask.'));
      orgName.focus();
      return;
    }
    const request: NewRecordsRequest = {
      organization: { name: orgName.value.trim(), address: optional(orgAddress), fax: optional(orgFax), email: optional(orgEmail) },
      categories: values('category') as NewRecordsRequest['categories'],
      gapIds: values('gap'),
      from: optional(from),
      to: optional(to),
      delivery: (values('delivery')[0] ?? 'electronic') as NewRecordsRequest['delivery'],
    };
    if (!request.categories?.length && !request.gapIds?.length) {
      replace(message, banner('error', 'Choose at least one missing record or category.'));
      return;
    }
    const button = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    button.disabled = true;
    api
      .createRequest(request)
      .then(({ id }) => ctx.navigate(`/requests?made=${encodeURIComponent(id)}`))
      .catch((error: unknown) => {
        button.disabled = false;
        replace(message, banner('error', errorMessage(error)));
      });
  });
}
