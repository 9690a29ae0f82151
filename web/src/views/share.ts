// Export & share: the downloads with their sizes, and SMART Health Links: create one (label,
// passcode, expiry, contents), see its QR code and link once, list the links with their state and
// access log, revoke. The link is the key to the records: it lives only in this page's memory and is
// gone when the reader leaves; the server cannot show it again.
import { api, isAbort } from '../api.js';
import { confirmDialog } from '../dialog.js';
import { announce, facts, h, replace, uid } from '../dom.js';
import { formatDateTime, plural } from '../format.js';
import { CONTENT_LABEL, DEFAULT_EXPIRY, EXPIRY_PRESETS, expiryFor, formatBytes, STATE_LABEL } from '../shares.js';
import type { ExportSizes, Share, ShareContent, ShareCreated } from '../types.js';
import { banner, loading, pageHeading, type ViewContext } from '../view.js';

export async function renderShare(ctx: ViewContext): Promise<void> {
  const downloads = h('div', null, loading('Measuring your copies…'));
  const created = h('div', { class: 'share-created', tabindex: -1 });
  const list = h('div', null, loading('Loading your shared links…'));
  replace(
    ctx.main,
    pageHeading('Export & share'),
    h(
      'section',
      { 'aria-labelledby': 'downloads-heading' },
      h('h2', { id: 'downloads-heading' }, 'Download a copy'),
      h('p', { class: 'hint' }, 'Keep one safe, and hand one to every new care team.'),
      downloads,
    ),
    h(
      'section',
      { 'aria-labelledby': 'share-heading' },
      h('h2', { id: 'share-heading' }, 'Share with a link or QR code'),
      h('p', { class: 'hint' }, 'A SMART Health Link: encrypted now, carebinder cannot read it.'),
      shareForm(ctx, created, () => void loadList()),
      created,
    ),
    h('section', { 'aria-labelledby': 'shares-heading' }, h('h2', { id: 'shares-heading' }, 'Your shared links'), list),
  );

  async function loadList(): Promise<void> {
    try {
      const { shares } = await api.shares(ctx.signal);
      replace(list, shares.length ? h('ul', { class: 'link-list share-list' }, shares.map((share) => shareItem(ctx, share, () => void loadList()))) : h('p', null, 'You have not shared a link yet.'));
    } catch (error) {
      if (!isAbort(error)) ctx.fail(error, list);
    }
  }

  await Promise.all([
    api
      .exportSizes(ctx.signal)
      .then((sizes) => replace(downloads, downloadList(sizes)))
      .catch((error: unknown) => {
        // The downloads work without their sizes.
        if (isAbort(error)) return;
        replace(downloads, downloadList(null));
      }),
    loadList(),
  ]);
}

function downloadList(sizes: ExportSizes | null): HTMLElement {
  const day = new Date().toISOString().slice(0, 10);
  const size = (bytes: number | undefined, exact = false) => (sizes && bytes !== undefined ? `${exact ? '' : 'about '}${formatBytes(bytes)}` : '');
  const rows = [
    { href: '/api/record/export.zip', file: `carebinder-${day}.zip`, title: 'Everything, to keep (ZIP)', size: size(sizes?.zipBytes) },
    { href: '/api/record/binder.pdf', file: `binder-${day}.pdf`, title: 'The binder to print (PDF)', size: size(sizes?.pdfBytes) },
    { href: '/api/record/ips.json', file: 'ips.json', title: 'A summary for a clinician’s system (IPS)', size: size(sizes?.ipsBytes, true) },
    { href: '/api/record/export.json', file: 'carebinder.json', title: 'The complete record (FHIR JSON)', size: size(sizes?.bundleBytes) },
  ];
  return h(
    'div',
    null,
    sizes ? h('p', null, `${plural(sizes.records, 'record')} and ${plural(sizes.documents, 'document')}.`) : null,
    h(
      'ul',
      { class: 'link-list downloads' },
      rows.map((row) =>
        h(
          'li',
          { class: 'card' },
          h('h3', null, h('a', { href: row.href, download: row.file }, row.title)),
          row.size ? h('p', { class: 'hint', 'data-size': row.href }, row.size) : null,
        ),
      ),
    ),
  );
}

const CONTENTS: ReadonlyArray<{ id: ShareContent; hint: string; checked: boolean }> = [
  { id: 'ips', hint: 'read first', checked: true },
  { id: 'pdf', hint: 'with the documents', checked: true },
  { id: 'bundle', hint: 'can be large', checked: false },
];

function shareForm(ctx: ViewContext, created: HTMLElement, refresh: () => void): HTMLFormElement {
  const labelId = uid('share-label');
  const passcodeId = uid('share-passcode');
  const expiryId = uid('share-expiry');
  const label = h('input', { id: labelId, name: 'label', type: 'text', required: true, maxlength: 80, autocomplete: 'off', placeholder: 'e.g. For Dr. Lee, second opinion' });
  const passcode = h('input', { id: passcodeId, name: 'passcode', type: 'text', minlength: 4, maxlength: 200, autocomplete: 'off', spellcheck: 'false' });
  const expiry = h(
    'select',
    { id: expiryId, name: 'expiry' },
    EXPIRY_PRESETS.map((preset) => h('option', { value: preset.id, selected: preset.id === DEFAULT_EXPIRY }, preset.label)),
  );
  const boxes = CONTENTS.map((content) => {
    const id = uid(`share-${content.id}`);
    const box = h('input', { type: 'checkbox', id, name: 'contents', value: content.id, checked: content.checked });
    return { content: content.id, box, row: h('p', { class: 'check' }, box, h('label', { for: id }, CONTENT_LABEL[content.id], h('span', { class: 'hint' }, ` — ${content.hint}`))) };
  });
  const message = h('div', { class: 'form-message' });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Create the link');
  const form = h(
    'form',
    { class: 'card share-form', novalidate: true },
    h('p', { class: 'field' }, h('label', { for: labelId }, 'Label'), h('span', { class: 'hint' }, 'Shown to whoever opens the link.'), label),
    h(
      'p',
      { class: 'field' },
      h('label', { for: passcodeId }, 'Passcode (recommended)'),
      h('span', { class: 'hint' }, 'At least 4 characters, given apart from the link. Ten wrong tries lock the link.'),
      passcode,
    ),
    h('p', { class: 'field' }, h('label', { for: expiryId }, 'The link works for'), expiry),
    h('fieldset', null, h('legend', null, 'What to share'), boxes.map((b) => b.row)),
    message,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const contents = boxes.filter((b) => b.box.checked).map((b) => b.content);
    if (!label.value.trim() || contents.length === 0) {
      replace(message, banner('error', 'Give the link a label and choose what to share.'));
      return;
    }
    submit.disabled = true;
    replace(message, h('p', { role: 'status' }, 'Encrypting…'));
    api
      .createShare({ label: label.value.trim(), ...(passcode.value ? { passcode: passcode.value } : {}), expiresAt: expiryFor(expiry.value, new Date()), contents })
      .then((share) => {
        replace(message);
        const withPasscode = passcode.value !== '';
        form.reset();
        showCreated(created, share, withPasscode);
        refresh();
      })
      .catch((error: unknown) => ctx.fail(error, message))
      .finally(() => {
        submit.disabled = false;
      });
  });
  return form;
}

function showCreated(area: HTMLElement, share: ShareCreated, withPasscode: boolean): void {
  const field = h('input', { id: 'share-link', type: 'text', readonly: true, value: share.viewerUrl, class: 'share-link', spellcheck: 'false' });
  const status = h('span', { role: 'status', class: 'hint' });
  const copy = () => {
    // Selected too: where the clipboard is refused, the reader copies it themselves.
    field.select();
    void navigator.clipboard?.writeText(share.viewerUrl).then(() => replace(status, ' Copied.'));
  };
  replace(
    area,
    h(
      'div',
      { class: 'card share-result' },
      h('h3', null, 'Your link is ready'),
      banner(
        'warning',
        h('strong', null, 'This link is the key to your records. '),
        `Anyone who has it${withPasscode ? ' and the passcode' : ''} can read what you shared until ${formatDateTime(share.expiresAt)}. `,
        'It is shown only now: copy it or let the clinician scan the QR code. You can revoke it below.',
      ),
      h('img', { src: share.qrPng, alt: 'QR code of the link', class: 'share-qr', width: 240, height: 240 }),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'share-link' }, 'The link'),
        h('div', { class: 'copy-row' }, field, h('button', { type: 'button', class: 'button secondary small', on: { click: copy } }, 'Copy'), status),
      ),
    ),
  );
  area.focus();
  announce('Your link is ready. It is shown only now.');
}

function shareItem(ctx: ViewContext, share: Share, refresh: () => void): HTMLElement {
  const log = h('div', { class: 'share-log' });
  const logButton = h('button', { type: 'button', class: 'button secondary small', 'aria-expanded': 'false' }, 'Access log');
  logButton.addEventListener('click', () => {
    if (logButton.getAttribute('aria-expanded') === 'true') {
      logButton.setAttribute('aria-expanded', 'false');
      replace(log);
      return;
    }
    logButton.setAttribute('aria-expanded', 'true');
    replace(log, loading('Loading the access log…'));
    api
      .share(share.id, ctx.signal)
      .then((detail) =>
        replace(
          log,
          detail.accesses.length
            ? h(
                'ul',
                { class: 'access-log' },
                detail.accesses.map((a) => h('li', null, `${formatDateTime(a.at)}: ${a.recipient}, from ${a.address} — ${a.outcome === 'served' ? 'opened' : 'wrong passcode'}`)),
              )
            : h('p', null, 'Nobody has opened this link yet.'),
        ),
      )
      .catch((error: unknown) => ctx.fail(error, log));
  });
  const revoke = h('button', { type: 'button', class: 'button danger small' }, 'Revoke');
  revoke.addEventListener('click', () => {
    void (async () => {
      const { confirmed } = await confirmDialog({
        title: 'Revoke this link?',
        message: `“${share.label}” stops working at once, for everyone. This cannot be undone.`,
        confirmLabel: 'Revoke',
        danger: true,
        returnFocus: revoke,
      });
      if (!confirmed) return;
      revoke.disabled = true;
      try {
        await api.revokeShare(share.id);
        announce(`“${share.label}” was revoked.`);
        refresh();
      } catch (error) {
        revoke.disabled = false;
        ctx.fail(error, log);
      }
    })();
  });
  return h(
    'li',
    { class: 'card', 'data-share': share.id, 'data-state': share.state },
    h('h3', null, share.label, ' ', h('span', { class: `status status-share-${share.state}` }, STATE_LABEL[share.state])),
    facts([
      { label: 'Shares', value: share.contents.map((c) => CONTENT_LABEL[c]).join(', ') },
      { label: 'Passcode', value: share.passcode ? `yes (${plural(share.attemptsLeft, 'wrong try', 'wrong tries')} left)` : 'no' },
      { label: 'Created', value: formatDateTime(share.createdAt) },
      { label: share.state === 'expired' ? 'Expired' : 'Expires', value: formatDateTime(share.expiresAt) },
      { label: 'Opened', value: share.accessCount ? `${plural(share.accessCount, 'request')}, last ${formatDateTime(share.lastAccessAt)}` : 'not yet' },
    ]),
    h('div', { class: 'actions' }, logButton, share.state === 'revoked' ? null : revoke),
    log,
  );
}
