// "Add to my binder": what the hospitals' records may lack, in plain questions (a medicine or
// supplement with its dose, a side effect and whether it continued, a health problem, a vaccine,
// a test result), and the list of the patient's own entries with edit and delete.
import { api, isAbort } from '../api.js';
import { confirmDialog } from '../dialog.js';
import { announce, h, replace, uid } from '../dom.js';
import { entrySummary, fromFhir, KINDS, missingField, toFhir, type EntryKind, type FormValues } from '../entry-forms.js';
import { formatDate } from '../format.js';
import type { Entry } from '../types.js';
import { banner, loading, pageHeading, type ViewContext } from '../view.js';

export async function renderEntries(ctx: ViewContext): Promise<void> {
  const message = h('div', { class: 'form-message' });
  const kindId = uid('entry-kind');
  const kindSelect = h(
    'select',
    { id: kindId },
    KINDS.map((k) => h('option', { value: k.kind }, k.title)),
  );
  const formArea = h('div');
  const list = h('ul', { class: 'items', 'aria-labelledby': 'entries-heading' });
  const listArea = h('div', null, loading('Loading your entries…'));
  replace(
    ctx.main,
    pageHeading('Add to my binder'),
    h('p', { class: 'lead' }, 'Add what your hospitals’ records may not have. Your entries show in the binder, the summaries and the print view as “Entered by you”.'),
    message,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'add-heading' },
      h('h2', { id: 'add-heading' }, 'Add something'),
      h('p', { class: 'field' }, h('label', { for: kindId }, 'What do you want to add?'), kindSelect),
      formArea,
    ),
    h('section', { 'aria-labelledby': 'entries-heading' }, h('h2', { id: 'entries-heading', tabindex: -1 }, 'Your entries'), listArea),
  );

  function showForm(kind: EntryKind, editing: Entry | null = null, values: FormValues = {}): void {
    const spec = KINDS.find((k) => k.kind === kind)!;
    const inputs = new Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>();
    const fields = spec.fields.map((field) => {
      const id = uid(`entry-${field.name}`);
      const hintId = field.hint ? `${id}-hint` : null;
      const common = { id, name: field.name, required: field.required ?? false, 'aria-describedby': hintId };
      const input =
        field.type === 'select'
          ? h('select', common, (field.options ?? []).map(([value, label]) => h('option', { value, selected: values[field.name] === value }, label)))
          : field.type === 'textarea'
            ? h('textarea', { ...common, rows: 2, maxlength: 2000 })
            : h('input', { ...common, type: field.type, step: field.type === 'number' ? 'any' : null, maxlength: field.type === 'text' ? 300 : null });
      if (field.type !== 'select') input.value = values[field.name] ?? '';
      inputs.set(field.name, input);
      return h('p', { class: 'field' }, h('label', { for: id }, field.label), input, hintId ? h('span', { id: hintId, class: 'hint' }, field.hint) : null);
    });
    const submit = h('button', { type: 'submit', class: 'button' }, editing ? 'Save changes' : 'Add to my binder');
    const form = h(
      'form',
      { class: 'entry-form', novalidate: true, 'data-kind': kind, 'aria-label': editing ? `Change ${editing.title}` : spec.title },
      fields,
      h(
        'div',
        { class: 'actions' },
        submit,
        editing ? h('button', { type: 'button', class: 'button secondary', on: { click: () => showForm(kindSelect.value as EntryKind) } }, 'Cancel') : null,
      ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const answers: FormValues = Object.fromEntries([...inputs].map(([name, input]) => [name, input.value]));
      const missing = missingField(kind, answers);
      if (missing) {
        replace(message, banner('error', `Please fill in “${missing.label}”.`));
        inputs.get(missing.name)?.focus();
        return;
      }
      void save(kind, answers, editing, submit);
    });
    kindSelect.value = kind;
    kindSelect.disabled = editing !== null;
    replace(formArea, form);
  }

  async function save(kind: EntryKind, answers: FormValues, editing: Entry | null, submit: HTMLButtonElement): Promise<void> {
    submit.disabled = true;
    try {
      const body = toFhir(kind, answers);
      const saved = editing ? await api.changeEntry(editing.id, body) : await api.addEntry(body);
      showForm(kind);
      // The list first: once the banner says so, the list shows it.
      await refresh();
      replace(message, banner('success', `${editing ? 'Saved' : 'Added'} “${saved.title}”.`));
      announce(`${editing ? 'Saved' : 'Added'} ${saved.title}.`);
    } catch (error) {
      submit.disabled = false;
      if (!isAbort(error)) ctx.fail(error, message);
    }
  }

  async function remove(entry: Entry, trigger: HTMLButtonElement): Promise<void> {
    const answer = await confirmDialog({
      title: `Delete “${entry.title}”?`,
      message: 'It will be removed from your binder, the summaries and the exports.',
      confirmLabel: 'Delete',
      danger: true,
      returnFocus: trigger,
    });
    if (!answer.confirmed) return;
    try {
      await api.deleteEntry(entry.id);
      await refresh();
      replace(message, banner('success', `Deleted “${entry.title}”.`));
      document.getElementById('entries-heading')?.focus();
    } catch (error) {
      if (!isAbort(error)) ctx.fail(error, message);
    }
  }

  function row(entry: Entry): HTMLLIElement {
    const kind = fromFhir(entry);
    const title = KINDS.find((k) => k.kind === kind.kind)?.title ?? entry.resourceType;
    const summary = entrySummary(entry);
    const category = entry.categories[0];
    return h(
      'li',
      { class: 'item', 'data-entry-id': entry.id },
      h(
        'div',
        { class: 'item-head' },
        h('h3', { class: 'item-heading' }, entry.title),
        entry.date ? h('span', { class: 'item-date' }, formatDate(entry.date)) : null,
        h('span', { class: 'status' }, title),
      ),
      summary ? h('p', { class: 'entry-summary' }, summary) : null,
      h('p', { class: 'hint' }, category ? h('a', { href: `/binder#cat-${category}` }, 'See it in your binder') : 'Not filed in a binder category (for example a medicine you stopped).'),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'button secondary small',
            'aria-label': `Edit ${entry.title}`,
            on: {
              click: () => {
                showForm(kind.kind, entry, kind.values);
                formArea.querySelector<HTMLElement>('input, select, textarea')?.focus();
              },
            },
          },
          'Edit',
        ),
        h('button', { type: 'button', class: 'button secondary small', 'aria-label': `Delete ${entry.title}`, on: { click: (event) => void remove(entry, event.currentTarget as HTMLButtonElement) } }, 'Delete'),
      ),
    );
  }

  async function refresh(): Promise<void> {
    const { entries } = await api.entries(ctx.signal);
    replace(list, entries.map(row));
    replace(listArea, entries.length ? list : h('p', { class: 'empty' }, 'Nothing entered yet.'));
  }

  kindSelect.addEventListener('change', () => showForm(kindSelect.value as EntryKind));
  // /add?kind=side-effect opens that form (the treatment summary links here).
  showForm(KINDS.find((k) => k.kind === ctx.url.searchParams.get('kind'))?.kind ?? 'medicine');
  try {
    await refresh();
  } catch (error) {
    if (!isAbort(error)) ctx.fail(error, listArea);
  }
}
