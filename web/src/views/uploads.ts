// "Upload copies": the files a hospital handed over (C-CDA documents, FHIR files, PDFs, photos,
// text), each filed into the binder by a job; the list says how each went, with its warnings,
// and deletes an upload with everything filed from it.
import { api, isAbort } from '../api.js';
import { confirmDialog } from '../dialog.js';
import { announce, h, replace, sleep, uid } from '../dom.js';
import { formatDateTime, plural } from '../format.js';
import { CATEGORY_CHOICES } from '../categories.js';
import type { Upload } from '../types.js';
import { banner, loading, pageHeading, type ViewContext } from '../view.js';

const POLL_MS = 1000;

export async function renderUploads(ctx: ViewContext): Promise<void> {
  const ids = { file: uid('upload-file'), category: uid('upload-category'), title: uid('upload-title'), date: uid('upload-date') };
  const file = h('input', { id: ids.file, name: 'file', type: 'file', required: true, accept: '.xml,.json,.ndjson,.pdf,.jpg,.jpeg,.png,.txt' });
  const category = h('select', { id: ids.category, name: 'category' }, h('option', { value: '' }, 'Let carebinder decide'), CATEGORY_CHOICES.map(([id, title]) => h('option', { value: id }, title)));
  const title = h('input', { id: ids.title, name: 'title', type: 'text', maxlength: 300 });
  const date = h('input', { id: ids.date, name: 'date', type: 'date' });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Upload');
  const message = h('div', { class: 'form-message' });
  const list = h('ul', { class: 'items upload-list', 'aria-labelledby': 'uploads-heading' });
  const listArea = h('div', null, loading('Loading your uploads…'));
  const form = h(
    'form',
    { class: 'card', novalidate: true, 'aria-labelledby': 'upload-heading' },
    h('h2', { id: 'upload-heading' }, 'Upload a file'),
    h('p', { class: 'field' }, h('label', { for: ids.file }, 'File'), file, h('span', { class: 'hint' }, 'C-CDA (XML) documents, FHIR JSON or NDJSON, PDF, JPEG or PNG pictures, or text.')),
    h('p', { class: 'field' }, h('label', { for: ids.category }, 'Category (optional)'), category),
    h('p', { class: 'field' }, h('label', { for: ids.title }, 'Title (optional)'), title),
    h('p', { class: 'field' }, h('label', { for: ids.date }, 'Date of the document (optional)'), date),
    h('div', { class: 'actions' }, submit),
  );
  replace(
    ctx.main,
    pageHeading('Upload copies'),
    h('p', { class: 'lead' }, 'Add the copies of records a hospital gave you. carebinder files each in the right categories of your binder, marked with the file it came from.'),
    message,
    form,
    h('section', { 'aria-labelledby': 'uploads-heading' }, h('h2', { id: 'uploads-heading', tabindex: -1 }, 'Your uploads'), listArea),
  );

  let polling = false;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) {
      replace(message, banner('error', 'Choose a file to upload.'));
      file.focus();
      return;
    }
    const body = new FormData();
    // The fields first: the server reads them before the file.
    if (category.value) body.append('category', category.value);
    if (title.value.trim()) body.append('title', title.value.trim());
    if (date.value) body.append('date', date.value);
    body.append('file', chosen, chosen.name);
    void send(body, chosen.name);
  });

  async function send(body: FormData, name: string): Promise<void> {
    submit.disabled = true;
    replace(message, h('p', { role: 'status' }, `Uploading ${name}…`));
    try {
      await api.upload(body);
      form.reset();
      replace(message, banner('info', `Uploaded ${name}. carebinder is filing it now.`));
      await refresh();
    } catch (error) {
      if (!isAbort(error)) ctx.fail(error, message);
    } finally {
      submit.disabled = false;
    }
  }

  async function remove(upload: Upload, trigger: HTMLButtonElement): Promise<void> {
    const answer = await confirmDialog({
      title: `Delete ${upload.fileName}?`,
      message: 'The file and every record filed from it will be removed from your binder.',
      confirmLabel: 'Delete',
      danger: true,
      returnFocus: trigger,
    });
    if (!answer.confirmed) return;
    try {
      await api.deleteUpload(upload.id);
      await refresh();
      replace(message, banner('success', `Deleted ${upload.fileName}.`));
      document.getElementById('uploads-heading')?.focus();
    } catch (error) {
      if (!isAbort(error)) ctx.fail(error, message);
    }
  }

  function stateText(upload: Upload): string {
    if (upload.state === 'processing') return 'Filing…';
    if (upload.state === 'failed') return `Not filed: ${upload.error ?? 'the file could not be read'}`;
    return `Filed ${plural(upload.resources, 'record')}${upload.categories.length ? ` in ${upload.categories.map((id) => CATEGORY_CHOICES.find(([each]) => each === id)?.[1] ?? id).join(', ')}` : ''}.`;
  }

  function row(upload: Upload): HTMLLIElement {
    return h(
      'li',
      { class: 'item', 'data-upload-id': upload.id, 'data-state': upload.state },
      h('div', { class: 'item-head' }, h('h3', { class: 'item-heading' }, upload.fileName), h('span', { class: 'item-date' }, formatDateTime(upload.createdAt))),
      h('p', { class: upload.state === 'failed' ? 'upload-state text-error' : 'upload-state' }, stateText(upload)),
      upload.warnings.length ? h('ul', { class: 'problems', 'aria-label': 'Warnings' }, upload.warnings.map((warning) => h('li', null, warning))) : null,
      h(
        'div',
        { class: 'actions' },
        upload.state === 'done' && upload.categories[0] ? h('a', { href: `/binder#cat-${upload.categories[0]}`, class: 'button secondary small' }, 'See it in your binder') : null,
        h('button', { type: 'button', class: 'button secondary small', 'aria-label': `Delete ${upload.fileName}`, on: { click: (event) => void remove(upload, event.currentTarget as HTMLButtonElement) } }, 'Delete'),
      ),
    );
  }

  async function refresh(): Promise<void> {
    const { uploads } = await api.uploads(ctx.signal);
    replace(list, uploads.map(row));
    replace(listArea, uploads.length ? list : h('p', { class: 'empty' }, 'Nothing uploaded yet.'));
    if (uploads.some((upload) => upload.state === 'processing')) void poll();
  }

  /** While a file is being filed, the list is read again every second. */
  async function poll(): Promise<void> {
    if (polling) return;
    polling = true;
    try {
      for (;;) {
        await sleep(POLL_MS, ctx.signal);
        const { uploads } = await api.uploads(ctx.signal);
        replace(list, uploads.map(row));
        if (!uploads.some((upload) => upload.state === 'processing')) {
          const latest = uploads[0];
          if (latest) announce(`${latest.fileName}: ${stateText(latest)}`);
          return;
        }
      }
    } catch (error) {
      if (!isAbort(error)) ctx.fail(error, message);
    } finally {
      polling = false;
    }
  }

  try {
    await refresh();
  } catch (error) {
    if (!isAbort(error)) ctx.fail(error, listArea);
  }
}
