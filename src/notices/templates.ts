// The notices' words, as plain text and simple HTML. A notice names no portal, no record and no
// token: an e-mail crosses servers the patient does not control, and even a hospital's name can say
// what they are treated for. It says what happened and where in carebinder to look. Pure.
import escapeHtml from 'escape-html';
import type { NoticeKind } from './preferences.js';

export interface NoticeFacts {
  /** PUBLIC_URL, without a trailing slash. */
  publicUrl: string;
  unsubscribeUrl: string;
  /** access-expiring: when access ends. */
  endsAt?: Date;
  /** weekly-digest: records filed in the last 7 days. */
  newRecords?: number;
}

export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
}

interface Wording {
  subject: string;
  /** Paragraphs; the last is followed by the link to `path`. */
  paragraphs: string[];
  action: string;
  path: string;
}

const day = (date: Date) => date.toISOString().slice(0, 10);

function wordingFor(kind: NoticeKind, facts: NoticeFacts): Wording {
  switch (kind) {
    case 'needs-relink':
      return {
        subject: 'carebinder: a portal needs to be linked again',
        paragraphs: [
          "One of the hospital portals linked to your carebinder no longer accepts carebinder's access, so new records from it cannot be collected.",
          'Sign in and link it again; the records already in your binder stay.',
        ],
        action: 'Open your portals',
        path: '/portals',
      };
    case 'access-expiring':
      return {
        subject: "carebinder: a portal's access ends soon",
        paragraphs: [
          `carebinder's access to one of your linked hospital portals ends on ${facts.endsAt ? day(facts.endsAt) : 'a day within two weeks'}.`,
          'Link it again before then so new records keep arriving.',
        ],
        action: 'Open your portals',
        path: '/portals',
      };
    case 'sync-failing':
      return {
        subject: 'carebinder: records from a portal could not be collected',
        paragraphs: [
          'carebinder could not collect records from one of your linked hospital portals three times in a row.',
          'Sign in to see what went wrong; it may need you to link it again.',
        ],
        action: 'Open your portals',
        path: '/portals',
      };
    case 'weekly-digest': {
      const n = facts.newRecords ?? 0;
      return {
        subject: 'carebinder: new records in your binder',
        paragraphs: [`${n} new record${n === 1 ? ' was' : 's were'} filed in your binder in the last 7 days.`, 'Sign in to read them.'],
        action: 'Open your binder',
        path: '/binder',
      };
    }
  }
}

const FOOTER = 'For your privacy this e-mail names no portal and carries nothing from your records.';

export function renderNotice(kind: NoticeKind, facts: NoticeFacts): RenderedNotice {
  const wording = wordingFor(kind, facts);
  const url = `${facts.publicUrl}${wording.path}`;
  const text = [
    ...wording.paragraphs,
    `${wording.action}: ${url}`,
    '--',
    FOOTER,
    `Stop e-mails like this one: ${facts.unsubscribeUrl}`,
    "Choose which e-mails you get in carebinder's settings.",
  ].join('\n\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">',
    ...wording.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(url)}">${escapeHtml(wording.action)}</a></p>`,
    `<hr><p style="color:#555;font-size:90%">${escapeHtml(FOOTER)}<br>`,
    `<a href="${escapeHtml(facts.unsubscribeUrl)}">Stop e-mails like this one</a>. Choose which e-mails you get in carebinder's settings.</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: wording.subject, text: `${text}\n`, html };
}
