// What every page gets from the router.
import { type Child, h } from './dom.js';
import type { Me } from './types.js';

export interface ViewContext {
  main: HTMLElement;
  /** Aborted when the reader leaves the page: stop polling, drop late answers. */
  signal: AbortSignal;
  me: Me | null;
  url: URL;
  navigate: (path: string, options?: { replace?: boolean }) => void;
  /** Report a failure: a 401 goes to sign-in, an abort is ignored, anything else is shown. */
  fail: (error: unknown, where?: HTMLElement) => void;
  /** Called once the reader is signed in (or out). */
  setMe: (me: Me | null) => void;
}

/** The page's heading, focusable so the router can move focus to it after navigation. */
export function pageHeading(text: string): HTMLHeadingElement {
  document.title = `${text} · carebinder`;
  return h('h1', { id: 'page-title', tabindex: -1 }, text);
}

export function banner(kind: 'success' | 'error' | 'warning' | 'info', ...content: Child[]): HTMLElement {
  // Errors interrupt; everything else waits its turn.
  const role = kind === 'error' ? 'alert' : 'status';
  return h('div', { class: `banner banner-${kind}`, role }, content);
}

export function loading(text = 'Loading…'): HTMLElement {
  return h('p', { class: 'loading', role: 'status' }, text);
}
