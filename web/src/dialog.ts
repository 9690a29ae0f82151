// Modal dialogs on the native <dialog>: focus moves in, Escape closes, focus goes back to the trigger.
import { type Child, h, uid } from './dom.js';

export interface ModalOptions {
  title: string;
  /** Focus returns here on close (defaults to whatever had focus). */
  returnFocus?: HTMLElement | null;
  className?: string;
}

export interface Modal {
  dialog: HTMLDialogElement;
  body: HTMLElement;
  close(): void;
  closed: Promise<string>;
}

export function openModal(options: ModalOptions, ...content: Child[]): Modal {
  const titleId = uid('dialog-title');
  const returnFocus = options.returnFocus ?? (document.activeElement instanceof HTMLElement ? document.activeElement : null);
  const body = h('div', { class: 'dialog-body' }, content);
  const dialog = h(
    'dialog',
    { class: `dialog ${options.className ?? ''}`.trim(), 'aria-labelledby': titleId },
    h(
      'div',
      { class: 'dialog-head' },
      h('h2', { id: titleId }, options.title),
      h('button', { type: 'button', class: 'button secondary', on: { click: () => dialog.close('dismiss') } }, 'Close'),
    ),
    body,
  );
  document.body.append(dialog);
  const closed = new Promise<string>((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        dialog.remove();
        returnFocus?.focus();
        resolve(dialog.returnValue);
      },
      { once: true },
    );
  });
  dialog.showModal();
  return { dialog, body, close: () => dialog.close('dismiss'), closed };
}

export interface ConfirmOptions {
  title: string;
  message: string;
  confirmLabel: string;
  /** An optional checkbox, e.g. "also delete this portal's records". */
  checkbox?: string;
  danger?: boolean;
  returnFocus?: HTMLElement | null;
}

/** Ask before doing something that cannot be undone. */
export async function confirmDialog(options: ConfirmOptions): Promise<{ confirmed: boolean; checked: boolean }> {
  const checkboxId = uid('confirm-check');
  const checkbox = options.checkbox ? h('input', { type: 'checkbox', id: checkboxId }) : null;
  const form = h(
    'form',
    { method: 'dialog' },
    h('p', null, options.message),
    checkbox ? h('p', { class: 'check' }, checkbox, h('label', { for: checkboxId }, options.checkbox)) : null,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', value: 'cancel', class: 'button secondary' }, 'Cancel'),
      h('button', { type: 'submit', value: 'confirm', class: options.danger ? 'button danger' : 'button' }, options.confirmLabel),
    ),
  );
  const modal = openModal({ title: options.title, returnFocus: options.returnFocus ?? null, className: 'dialog-small' }, form);
  const result = await modal.closed;
  return { confirmed: result === 'confirm', checked: checkbox?.checked ?? false };
}
