// The built-in SMART Health Links viewer (/shl), for a clinician without an SHL app. The link comes
// in the URL fragment, which browsers never send to a server; the page asks for the passcode, fetches
// the manifest and files, and decrypts them here with Web Crypto: carebinder's server only ever sees
// ciphertext. It shows the International Patient Summary as a readable summary and the binder PDF.
// Its own entry point (web/build.ts), with a stricter CSP than the app (src/web/plugin.ts).
import { announce, facts, h, replace, type Child } from './dom.js';
import { formatDate, formatDateTime } from './format.js';
import { sanitizeNarrative } from './sanitize.js';
import { base64Bytes, decodeShlink, decryptJwe, findShlink, ShlFormatError, type ShlPayload } from './shl-decode.js';
import { banner, pageHeading } from './view.js';

type Json = Record<string, unknown>;
interface ManifestFile {
  contentType?: string;
  location?: string;
  embedded?: string;
}
interface Opened {
  contentType: string;
  json: Json;
}

const main = document.getElementById('main') as HTMLElement;
const objectUrls: string[] = [];

const GONE = 'This link is no longer available: it has expired, the patient revoked it, or it was disabled after too many wrong passcodes. Ask the patient for a new one.';

function start(): void {
  const link = findShlink(window.location.hash);
  if (!link) {
    replace(
      main,
      pageHeading('Shared medical records'),
      banner('info', 'There is no SMART Health Link in this address. Open the whole link you were given (it ends with a long code after “#shlink:/”), or scan the QR code again.'),
    );
    return;
  }
  let payload: ShlPayload;
  try {
    payload = decodeShlink(link);
  } catch (error) {
    replace(main, pageHeading('Shared medical records'), banner('error', error instanceof ShlFormatError ? error.message : 'This link could not be read.'));
    return;
  }
  if (new URL(payload.url).origin !== window.location.origin) {
    replace(
      main,
      pageHeading('Shared medical records'),
      banner('error', `This viewer opens links shared from this carebinder only; this one comes from ${new URL(payload.url).host}. Open it with a SMART Health Links app.`),
    );
    return;
  }
  if (payload.exp !== undefined && payload.exp * 1000 <= Date.now()) {
    replace(main, pageHeading('Shared medical records'), banner('error', `This link expired on ${formatDateTime(new Date(payload.exp * 1000).toISOString())}. Ask the patient for a new one.`));
    return;
  }
  renderForm(payload);
}

function renderForm(payload: ShlPayload): void {
  const needsPasscode = payload.flag?.includes('P') ?? false;
  const status = h('div', { id: 'shl-status' });
  const recipient = h('input', { id: 'shl-recipient', name: 'recipient', type: 'text', autocomplete: 'name', required: true, maxlength: 200 });
  const passcode = needsPasscode ? h('input', { id: 'shl-passcode', name: 'passcode', type: 'password', autocomplete: 'off', required: true, maxlength: 200 }) : null;
  const submit = h('button', { type: 'submit', class: 'button' }, 'Open the records');
  const form = h(
    'form',
    { class: 'card auth-form', novalidate: true, 'aria-labelledby': 'page-title' },
    h('div', { class: 'field' }, h('label', { for: 'shl-recipient' }, 'Your name'), h('p', { class: 'hint' }, 'The patient sees who opened the link, and when.'), recipient),
    passcode ? h('div', { class: 'field' }, h('label', { for: 'shl-passcode' }, 'Passcode'), h('p', { class: 'hint' }, 'The patient gave it to you separately.'), passcode) : null,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = recipient.value.trim();
    if (!name) {
      replace(status, banner('error', 'Enter your name.'));
      recipient.focus();
      return;
    }
    if (passcode && !passcode.value) {
      replace(status, banner('error', 'Enter the passcode.'));
      passcode.focus();
      return;
    }
    submit.disabled = true;
    replace(status, h('p', { class: 'loading', role: 'status' }, 'Opening and decrypting…'));
    void open(payload, name, passcode?.value)
      .then((files) => renderFiles(payload, files))
      .catch((error: unknown) => {
        submit.disabled = false;
        replace(status, banner('error', error instanceof Error ? error.message : String(error)));
        if (passcode) {
          passcode.value = '';
          passcode.focus();
        }
      });
  });
  replace(
    main,
    pageHeading('Shared medical records'),
    payload.label ? h('p', { class: 'lead' }, '“', payload.label, '”') : null,
    facts([{ label: 'Link valid until', value: payload.exp ? formatDateTime(new Date(payload.exp * 1000).toISOString()) : 'no end date' }]),
    h('p', null, 'The records are decrypted in this browser. The server that keeps them cannot read them.'),
    form,
    status,
  );
}

async function open(payload: ShlPayload, recipient: string, passcode: string | undefined): Promise<Opened[]> {
  let response: Response;
  try {
    response = await fetch(payload.url, {
      method: 'POST',
      credentials: 'omit',
      cache: 'no-store',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ recipient, ...(passcode === undefined ? {} : { passcode }) }),
    });
  } catch {
    throw new Error('The records could not be reached. Check the connection and try again.');
  }
  if (response.status === 401) {
    const body = (await response.json().catch(() => ({}))) as { remainingAttempts?: number };
    const left = body.remainingAttempts;
    if (left === 0) throw new Error('Wrong passcode, and no attempts are left: this link is now disabled. Ask the patient for a new one.');
    throw new Error(`Wrong passcode.${typeof left === 'number' ? ` ${left} attempt${left === 1 ? '' : 's'} left before the link is disabled.` : ''}`);
  }
  if (response.status === 404) throw new Error(GONE);
  if (response.status === 429) throw new Error('Too many tries for this link just now. Wait a minute and try again.');
  if (!response.ok) throw new Error(`The records could not be opened (HTTP ${response.status}). Try again later.`);
  const manifest = (await response.json()) as { files?: ManifestFile[] };
  const opened: Opened[] = [];
  for (const file of manifest.files ?? []) {
    let jwe = file.embedded;
    if (jwe === undefined && file.location) {
      const fetched = await fetch(file.location, { credentials: 'omit', cache: 'no-store' });
      if (fetched.status === 404) throw new Error(GONE);
      if (!fetched.ok) throw new Error(`A shared file could not be fetched (HTTP ${fetched.status}).`);
      jwe = await fetched.text();
    }
    if (jwe === undefined) continue;
    let decrypted;
    try {
      decrypted = await decryptJwe(jwe, payload.key);
    } catch (error) {
      if (error instanceof ShlFormatError) throw error;
      throw new Error('A shared file could not be decrypted: the link may be incomplete. Copy the whole link and try again.', { cause: error });
    }
    opened.push({ contentType: file.contentType ?? decrypted.contentType ?? 'application/octet-stream', json: JSON.parse(new TextDecoder().decode(decrypted.plaintext)) as Json });
  }
  return opened;
}

// --- Showing what was shared ---

function renderFiles(payload: ShlPayload, files: Opened[]): void {
  for (const url of objectUrls.splice(0)) URL.revokeObjectURL(url);
  const order = (file: Opened) => (isIps(file.json) ? 0 : file.json.resourceType === 'DocumentReference' ? 1 : 2);
  const sections = [...files].sort((a, b) => order(a) - order(b)).map(renderFile);
  replace(
    main,
    pageHeading('Shared medical records'),
    payload.label ? h('p', { class: 'lead' }, '“', payload.label, '”') : null,
    files.length === 0 ? banner('info', 'The link opened, but it shares no files.') : null,
    sections,
  );
  announce(`Opened ${files.length} shared file${files.length === 1 ? '' : 's'}.`);
  document.getElementById('page-title')?.focus();
}

function isIps(json: Json): boolean {
  const first = (json.entry as Array<{ resource?: Json }> | undefined)?.[0]?.resource;
  return json.resourceType === 'Bundle' && json.type === 'document' && first?.resourceType === 'Composition';
}

function renderFile(file: Opened): HTMLElement {
  if (isIps(file.json)) return renderIps(file.json);
  if (file.json.resourceType === 'DocumentReference') return renderDocumentReference(file.json);
  if (file.json.resourceType === 'Bundle') {
    const count = (file.json.entry as unknown[] | undefined)?.length ?? 0;
    return h(
      'section',
      { class: 'card shl-file' },
      h('h2', null, 'The complete record'),
      h('p', null, `Every record and document carebinder holds for the patient: a FHIR Bundle of ${count} entries, for import into a clinical system.`),
      download(new Blob([JSON.stringify(file.json, null, 1)], { type: 'application/fhir+json' }), 'carebinder-record.json', 'Download the complete record (FHIR JSON)'),
    );
  }
  return h(
    'section',
    { class: 'card shl-file' },
    h('h2', null, typeof file.json.resourceType === 'string' ? file.json.resourceType : 'A shared file'),
    download(new Blob([JSON.stringify(file.json, null, 1)], { type: file.contentType }), 'shared.json', 'Download it (JSON)'),
  );
}

function download(blob: Blob, name: string, label: string): HTMLAnchorElement {
  const url = URL.createObjectURL(blob);
  objectUrls.push(url);
  return h('a', { href: url, download: name, class: 'button secondary' }, `${label}, ${sizeText(blob.size)}`);
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function renderDocumentReference(doc: Json): HTMLElement {
  const contents = (doc.content as Array<{ attachment?: { contentType?: string; data?: string; title?: string } }> | undefined) ?? [];
  const title = typeof doc.description === 'string' ? doc.description : 'A shared document';
  const parts: Child[] = [];
  for (const { attachment } of contents) {
    if (!attachment?.data) continue;
    const type = attachment.contentType ?? 'application/octet-stream';
    const blob = new Blob([base64Bytes(attachment.data)], { type });
    const name = attachment.title ?? (type === 'application/pdf' ? 'document.pdf' : 'document');
    if (type === 'application/pdf') {
      const link = download(blob, name, 'Download the PDF');
      parts.push(h('iframe', { src: link.href, title, class: 'pdf-frame' }), h('p', null, link));
    } else {
      parts.push(h('p', null, download(blob, name, `Download ${name}`)));
    }
  }
  return h('section', { class: 'card shl-file' }, h('h2', null, type(doc) ?? 'Document'), h('p', null, title), parts.length ? parts : h('p', null, 'This document has no content.'));
}

function type(doc: Json): string | undefined {
  const t = doc.type as { text?: string } | undefined;
  return t?.text;
}

// The International Patient Summary: the patient, then each section's narrative (generated by the
// sender's server: shown only after DOMPurify), or its entries' names when there is no narrative.
function renderIps(bundle: Json): HTMLElement {
  const entries = (bundle.entry as Array<{ fullUrl?: string; resource?: Json }> | undefined) ?? [];
  const byUrl = new Map(entries.filter((e) => e.fullUrl && e.resource).map((e) => [e.fullUrl!, e.resource!]));
  const resolve = (reference: unknown) => (typeof reference === 'string' ? byUrl.get(reference) : undefined);
  const composition = entries[0]?.resource ?? {};
  const patient = resolve((composition.subject as { reference?: string } | undefined)?.reference);
  const sections = (composition.section as Json[] | undefined) ?? [];
  return h(
    'section',
    { class: 'card shl-file shl-ips' },
    h('h2', null, 'Patient summary'),
    facts([
      { label: 'Patient', value: patient ? patientName(patient) : '' },
      { label: 'Born', value: typeof patient?.birthDate === 'string' ? formatDate(patient.birthDate) : '' },
      { label: 'Sex', value: typeof patient?.gender === 'string' ? patient.gender : '' },
      { label: 'Summary made', value: typeof composition.date === 'string' ? formatDateTime(composition.date) : '' },
    ]),
    sections.map((section) => renderSection(section, resolve)),
  );
}

function patientName(patient: Json): string {
  const name = (patient.name as Array<{ text?: string; given?: string[]; family?: string }> | undefined)?.[0];
  if (!name) return '';
  return name.text ?? [...(name.given ?? []), name.family ?? ''].join(' ').trim();
}

function renderSection(section: Json, resolve: (reference: unknown) => Json | undefined): HTMLElement {
  const title = typeof section.title === 'string' ? section.title : 'Section';
  const div = (section.text as { div?: string } | undefined)?.div;
  const references = (section.entry as Array<{ reference?: string }> | undefined) ?? [];
  let body: Child;
  if (typeof div === 'string' && div.trim()) {
    body = h('div', { class: 'narrative' }, sanitizeNarrative(div));
  } else if (references.length) {
    body = h('ul', null, references.map((r) => h('li', null, displayOf(resolve(r.reference)))));
  } else {
    body = h('p', { class: 'hint' }, 'Nothing recorded.');
  }
  return h('section', { class: 'shl-section' }, h('h3', null, title), body);
}

function displayOf(resource: Json | undefined): string {
  if (!resource) return 'An entry not included';
  for (const field of ['code', 'medicationCodeableConcept', 'vaccineCode', 'type']) {
    const concept = resource[field] as { text?: string; coding?: Array<{ display?: string }> } | undefined;
    const text = concept?.text ?? concept?.coding?.find((c) => c.display)?.display;
    if (text) return text;
  }
  return typeof resource.resourceType === 'string' ? resource.resourceType : 'Entry';
}

window.addEventListener('hashchange', start);
start();
