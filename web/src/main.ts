// The client's entry: who is signed in, which page to show, and the header navigation.
// History routes; the server answers index.html for each of them (src/web/plugin.ts).
import { api, ApiError, errorMessage, isAbort } from './api.js';
import { h, replace } from './dom.js';
import { readLinkFlash } from './link-flash.js';
import { matchRoute, type Route } from './routes.js';
import type { Me } from './types.js';
import { banner, pageHeading, type ViewContext } from './view.js';
import { renderSignIn } from './views/auth.js';
import { renderActivity } from './views/activity.js';
import { renderBinder } from './views/binder.js';
import { renderChecklist } from './views/checklist.js';
import { renderDocument } from './views/document.js';
import { renderEntries } from './views/entries.js';
import { renderPortals } from './views/portals.js';
import { renderPrint } from './views/print.js';
import { renderRequestForm, renderRequests } from './views/requests.js';
import { renderShare } from './views/share.js';
import { renderTreatment } from './views/treatment.js';
import { renderUploads } from './views/uploads.js';

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;

let me: Me | null = null;
let meKnown = false;
let page: AbortController | null = null;
let firstRender = true;

const NAV_ITEMS: ReadonlyArray<{ path: string; label: string; route: Route['name'][] }> = [
  { path: '/binder', label: 'Binder', route: ['binder', 'document'] },
  { path: '/treatment', label: 'Treatment summary', route: ['treatment'] },
  { path: '/missing', label: "What's missing", route: ['checklist'] },
  { path: '/requests', label: 'Requests', route: ['requests', 'request-new'] },
  { path: '/portals', label: 'Portals', route: ['portals'] },
  { path: '/uploads', label: 'Upload copies', route: ['uploads'] },
  { path: '/add', label: 'Add to my binder', route: ['entries'] },
  { path: '/print', label: 'Print', route: ['print'] },
  { path: '/share', label: 'Export & share', route: ['share'] },
  { path: '/activity', label: 'Activity', route: ['activity'] },
];

function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  void render();
}

function setMe(next: Me | null): void {
  me = next;
  meKnown = true;
}

function fail(error: unknown, where?: HTMLElement): void {
  if (isAbort(error)) return;
  if (error instanceof ApiError && error.status === 401) {
    me = null;
    const here = `${window.location.pathname}${window.location.search}`;
    navigate(here === '/' || here.startsWith('/sign-in') ? '/sign-in' : `/sign-in?next=${encodeURIComponent(here)}`, { replace: true });
    return;
  }
  const message = banner('error', errorMessage(error));
  if (where) replace(where, message);
  else main.prepend(message);
}

async function signOut(button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    await api.signOut();
  } catch (error) {
    // Signed out already is still signed out.
    if (!(error instanceof ApiError && error.status === 401)) {
      button.disabled = false;
      fail(error);
      return;
    }
  }
  me = null;
  navigate('/sign-in', { replace: true });
}

function renderNav(route: Route): void {
  // No empty landmark while signed out.
  nav.hidden = !me;
  if (!me) {
    replace(nav);
    return;
  }
  replace(
    nav,
    h(
      'ul',
      null,
      NAV_ITEMS.map((item) =>
        h('li', null, h('a', { href: item.path, 'aria-current': item.route.includes(route.name) ? 'page' : null }, item.label)),
      ),
    ),
    h(
      'div',
      { class: 'account' },
      h('span', { class: 'email' }, me.email),
      h('button', { type: 'button', class: 'button secondary small', on: { click: (event) => void signOut(event.currentTarget as HTMLButtonElement) } }, 'Sign out'),
    ),
  );
}

async function render(): Promise<void> {
  page?.abort();
  const controller = new AbortController();
  page = controller;
  const url = new URL(window.location.href);
  let route = matchRoute(url.pathname);

  if (!meKnown) {
    try {
      setMe(await api.me(controller.signal));
    } catch (error) {
      if (isAbort(error)) return;
      if (!(error instanceof ApiError && error.status === 401)) {
        replace(main, pageHeading('carebinder'), banner('error', errorMessage(error)), h('p', null, h('a', { href: url.pathname }, 'Try again')));
        return;
      }
      setMe(null);
    }
  }
  if (controller.signal.aborted) return;

  if (!me && route.name !== 'sign-in' && route.name !== 'not-found') {
    const here = `${url.pathname}${url.search}`;
    // A portal's answer (?link=...) is kept for after sign-in.
    window.history.replaceState(null, '', here === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(here)}`);
    route = { name: 'sign-in' };
  } else if (me && route.name === 'sign-in') {
    window.history.replaceState(null, '', '/binder');
    route = { name: 'binder' };
  } else if (route.name === 'home') {
    // Back from a portal: the portals page shows the outcome. Otherwise the binder, or portals when none is linked yet.
    const target = readLinkFlash(url.search).flash ? `/portals${url.search}` : await homeTarget(controller.signal);
    if (controller.signal.aborted) return;
    window.history.replaceState(null, '', target);
    route = matchRoute(new URL(target, url).pathname);
  }

  const ctx: ViewContext = { main, signal: controller.signal, me, url: new URL(window.location.href), navigate, fail, setMe };
  renderNav(route);
  main.setAttribute('aria-busy', 'true');
  try {
    await show(route, ctx);
  } catch (error) {
    fail(error);
  } finally {
    if (page === controller) main.removeAttribute('aria-busy');
  }
  if (!firstRender && page === controller && !window.location.hash) {
    // Tell screen readers the page changed by moving to its heading.
    document.getElementById('page-title')?.focus();
  }
  firstRender = false;
  if (window.location.hash) document.getElementById(decodeURIComponent(window.location.hash.slice(1)))?.scrollIntoView();
}

async function homeTarget(signal: AbortSignal): Promise<string> {
  try {
    const { links } = await api.links(signal);
    return links.length ? '/binder' : '/portals';
  } catch {
    return '/binder';
  }
}

async function show(route: Route, ctx: ViewContext): Promise<void> {
  switch (route.name) {
    case 'sign-in':
      renderSignIn(ctx);
      return;
    case 'home':
    case 'binder':
      return renderBinder(ctx);
    case 'portals':
      return renderPortals(ctx);
    case 'treatment':
      return renderTreatment(ctx);
    case 'document':
      return renderDocument(ctx, route.id);
    case 'print':
      return renderPrint(ctx);
    case 'share':
      return renderShare(ctx);
    case 'entries':
      return renderEntries(ctx);
    case 'uploads':
      return renderUploads(ctx);
    case 'checklist':
      return renderChecklist(ctx);
    case 'requests':
      return renderRequests(ctx);
    case 'request-new':
      return renderRequestForm(ctx);
    case 'activity':
      return renderActivity(ctx);
    case 'not-found':
      replace(
        main,
        pageHeading('Page not found'),
        h('p', null, 'There is no page at this address. It may have been mistyped, or the page has moved.'),
        h('p', null, ctx.me ? h('a', { href: '/binder' }, 'Go to your binder') : h('a', { href: '/sign-in' }, 'Sign in to carebinder'), '.'),
      );
      return;
  }
}

// In-app links navigate without reloading; downloads, other origins, the API and new tabs are left to the browser.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest('a');
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
  const url = new URL(anchor.href, window.location.href);
  if (url.origin !== window.location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/docs')) return;
  if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) return; // in-page anchor
  event.preventDefault();
  navigate(`${url.pathname}${url.search}${url.hash}`);
});

window.addEventListener('popstate', () => void render());
void render();
