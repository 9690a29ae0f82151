// A tiny element builder. Text always goes in as text nodes, so nothing from the API or the
// URL is ever parsed as markup; the one place that renders HTML (FHIR narrative) goes through sanitize.ts.

export type Child = Node | string | number | null | undefined | false | readonly Child[];

type Handlers = { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };

export interface Props {
  /** Attributes: strings and numbers are set, true sets an empty attribute, false/null/undefined skip it. */
  [attribute: string]: string | number | boolean | null | undefined | Handlers;
  on?: Handlers;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props) {
    for (const [name, value] of Object.entries(props)) {
      if (name === 'on') {
        for (const [type, handler] of Object.entries(value as Handlers)) element.addEventListener(type, handler as EventListener);
      } else if (value === true) {
        element.setAttribute(name, '');
      } else if (typeof value === 'string' || typeof value === 'number') {
        element.setAttribute(name, String(value));
      }
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child as readonly Child[]);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child as string | number)));
  }
}

/** Replace an element's content. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let idCounter = 0;
/** A document-unique id for aria-labelledby/aria-describedby pairs. */
export function uid(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** Say something to screen readers through the page's polite live region. */
export function announce(message: string): void {
  const region = document.getElementById('announcer');
  if (!region) return;
  // Clearing first makes a repeated message be read again.
  region.textContent = '';
  window.setTimeout(() => {
    region.textContent = message;
  }, 50);
}

/** A definition list of label–value pairs, skipping empty values. */
export function facts(rows: ReadonlyArray<{ label: string; value: Child }>, className = 'facts'): HTMLDListElement | null {
  const shown = rows.filter((row) => row.value !== '' && row.value !== null && row.value !== undefined && row.value !== false);
  if (shown.length === 0) return null;
  return h(
    'dl',
    { class: className },
    shown.map((row) => h('div', null, h('dt', null, row.label), h('dd', null, row.value))),
  );
}

/** Wait, unless the page moves on first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = window.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      window.clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
