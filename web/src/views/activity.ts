// "Activity and e-mails": who read or changed what of this account, when, from which address and
// browser (the audit trail, newest first, 50 at a time), and which e-mail notices to get.
import { api, isAbort } from '../api.js';
import { auditEventText, isNotable } from '../audit-text.js';
import { announce, h, replace } from '../dom.js';
import { formatDateTime } from '../format.js';
import type { AuditEvent, NoticePreferences } from '../types.js';
import { banner, loading, pageHeading, type ViewContext } from '../view.js';

const CHOICES: ReadonlyArray<[keyof NoticePreferences, string]> = [
  ['needsRelink', 'A portal must be linked again'],
  ['accessExpiring', "A portal's access ends within 14 days"],
  ['syncFailing', 'Records from a portal could not be collected three times in a row'],
  ['weeklyDigest', 'Once a week: how many new records were filed'],
];

export async function renderActivity(ctx: ViewContext): Promise<void> {
  const settingsArea = h('div', null, loading('Loading your e-mail choices…'));
  const list = h('ol', { class: 'items audit-list', 'aria-labelledby': 'activity-heading' });
  const more = h('button', { type: 'button', class: 'button secondary audit-more', hidden: true }, 'Show older');
  const listArea = h('div', null, loading('Loading your activity…'));
  replace(
    ctx.main,
    pageHeading('Activity and e-mails'),
    h('p', { class: 'lead' }, 'Every time your record, a document, a copy or a shared link was read, and every sign-in, link and change, with the address and browser it came from.'),
    h('section', { 'aria-labelledby': 'notices-heading' }, h('h2', { id: 'notices-heading' }, 'E-mails'), settingsArea),
    h('section', { 'aria-labelledby': 'activity-heading' }, h('h2', { id: 'activity-heading', tabindex: -1 }, 'Activity'), listArea, more),
  );

  let next: string | null = null;
  const row = (event: AuditEvent) =>
    h(
      'li',
      { class: isNotable(event.action) ? 'item notable' : 'item' },
      h('strong', null, auditEventText(event.action, event.target)),
      h('span', { class: 'meta' }, ` ${formatDateTime(event.at)}`, event.ip ? ` · ${event.ip}` : '', event.userAgent ? ` · ${event.userAgent}` : ''),
    );

  async function page(): Promise<void> {
    more.disabled = true;
    try {
      const answer = await api.audit(next, ctx.signal);
      for (const event of answer.events) list.append(row(event));
      next = answer.next;
      if (list.childElementCount === 0) replace(listArea, h('p', null, 'Nothing yet.'));
      else if (!listArea.contains(list)) replace(listArea, list);
      more.hidden = next === null;
      if (answer.events.length > 0 && list.childElementCount > answer.events.length) announce(`${answer.events.length} older events shown.`);
    } catch (error) {
      if (!isAbort(error)) ctx.fail(error, listArea);
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', () => void page());

  async function settings(): Promise<void> {
    try {
      const current = await api.notifications(ctx.signal);
      const boxes = CHOICES.map(([key, label]) => {
        const box = h('input', { type: 'checkbox', name: key, checked: current[key] });
        return { key, box, item: h('li', null, h('label', { class: 'check' }, box, ' ', label)) };
      });
      const message = h('div', { class: 'form-message' });
      const save = h('button', { type: 'submit', class: 'button' }, 'Save e-mail choices');
      const form = h(
        'form',
        { class: 'card', 'aria-labelledby': 'notices-heading' },
        current.mailEnabled ? null : banner('info', 'This carebinder sends no e-mail (its administrator has not set up a mail server). Your choices are kept for when it does.'),
        h('fieldset', null, h('legend', null, 'E-mail me when'), h('ul', { class: 'checks' }, boxes.map((b) => b.item))),
        h('p', { class: 'hint' }, 'E-mails name no portal and carry nothing from your records; each has a link to stop that kind.'),
        message,
        h('div', { class: 'actions' }, save),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const chosen = Object.fromEntries(boxes.map((b) => [b.key, b.box.checked])) as NoticePreferences;
        save.disabled = true;
        api
          .saveNotifications(chosen)
          .then(() => replace(message, banner('success', 'Saved.')))
          .catch((error: unknown) => ctx.fail(error, message))
          .finally(() => {
            save.disabled = false;
          });
      });
      replace(settingsArea, form);
    } catch (error) {
      if (!isAbort(error)) ctx.fail(error, settingsArea);
    }
  }

  await Promise.all([settings(), page()]);
}
