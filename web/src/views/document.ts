// The document viewer: PDFs in a same-origin frame, text as escaped preformatted text,
// images as images, anything else as a download.
import { api, ApiError, isAbort } from '../api.js';
import { h, replace } from '../dom.js';
import { readProblem } from '../problem.js';
import { documentTitleFrom } from '../resource-summary.js';
import { documentBytesPath, documentKind } from '../urls.js';
import { banner, loading, pageHeading, type ViewContext } from '../view.js';

/** More text than this is cut: a browser tab is no place for a 100 MB log. */
const MAX_TEXT_CHARS = 2_000_000;

export async function renderDocument(ctx: ViewContext, id: string): Promise<void> {
  const src = documentBytesPath(id);
  const back = h('p', { class: 'back' }, h('a', { href: '/binder' }, '← Back to the binder'));
  const heading = pageHeading('Document');
  replace(ctx.main, back, heading, h('div', { class: 'document-body' }, loading('Loading the document…')));

  // Is it there at all, and what is it? A missing document gets a not-found page: no Download.
  let type: string | null;
  try {
    const found = await headType(src, ctx.signal);
    type = ctx.url.searchParams.get('type') ?? found;
  } catch (error) {
    if (isAbort(error)) return;
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
      replace(
        ctx.main,
        back,
        pageHeading('Document not found'),
        h('p', null, 'This document is not in your binder. It may have been deleted with its portal, or the address is wrong.'),
        h('p', null, h('a', { href: '/binder' }, 'Go to your binder'), '.'),
      );
      return;
    }
    ctx.fail(error, ctx.main.querySelector<HTMLElement>('.document-body') ?? undefined);
    return;
  }

  // The heading comes from the record the document belongs to, never from the address bar.
  const recordId = ctx.url.searchParams.get('record');
  const title = (recordId ? await recordTitle(recordId, ctx.url.searchParams.get('src'), ctx.signal) : null) ?? 'Document';
  if (ctx.signal.aborted) return;
  const body = h('div', { class: 'document-body' }, loading('Loading the document…'));
  const download = h('a', { href: src, download: '', class: 'button secondary' }, 'Download');
  replace(ctx.main, back, pageHeading(title), h('div', { class: 'actions' }, download), body);

  try {
    switch (documentKind(type)) {
      case 'pdf':
        replace(
          body,
          h('iframe', { src, title, class: 'pdf-frame' }),
          h('p', { class: 'hint' }, 'If the PDF does not show, use Download above.'),
        );
        break;
      case 'image':
        replace(body, h('img', { src, alt: title, class: 'document-image' }));
        break;
      case 'text': {
        const response = await fetch(src, { credentials: 'same-origin', signal: ctx.signal });
        const text = await response.text();
        if (!response.ok) throw new ApiError(response.status, readProblem(response.status, response.statusText, response.headers.get('content-type'), text));
        const cut = text.length > MAX_TEXT_CHARS;
        replace(
          body,
          cut ? banner('info', 'This document is long: only its beginning is shown. Download it to read all of it.') : null,
          // textContent: whatever the document says is shown as text, never run as markup.
          h('pre', { class: 'document-text', tabindex: 0, 'aria-label': title }, cut ? text.slice(0, MAX_TEXT_CHARS) : text),
        );
        break;
      }
      case 'other':
        replace(body, h('p', null, `This kind of document${type ? ` (${type})` : ''} cannot be shown here. `, h('a', { href: src, download: '' }, `Download ${title}`), '.'));
        break;
    }
  } catch (error) {
    if (!isAbort(error)) ctx.fail(error, body);
  }
}

async function recordTitle(recordId: string, docSrc: string | null, signal: AbortSignal): Promise<string | null> {
  try {
    const detail = await api.resource(recordId, signal);
    return documentTitleFrom(detail.resource, docSrc);
  } catch {
    // No record to read it from (an old link, a grouped item): the plain heading will do.
    return null;
  }
}

async function headType(src: string, signal: AbortSignal): Promise<string | null> {
  const response = await fetch(src, { method: 'HEAD', credentials: 'same-origin', signal });
  if (!response.ok) {
    // HEAD has no body: the status alone tells what went wrong.
    if (response.status === 401) throw new ApiError(401, { status: 401, detail: 'Sign in first.' });
    if (response.status === 404) throw new ApiError(404, { status: 404, detail: 'This document is not in your binder (it may have been deleted with its portal).' });
    throw new ApiError(response.status, readProblem(response.status, response.statusText, null, ''));
  }
  return response.headers.get('content-type');
}
