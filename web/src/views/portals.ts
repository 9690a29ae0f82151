// Portals: the catalog to link from, and the patient's links with their sync progress,
// token-expiry warnings and actions (sync now, link again, unlink).
import { api, errorMessage, isAbort } from '../api.js';
import { confirmDialog } from '../dialog.js';
import { announce, facts, h, replace, sleep } from '../dom.js';
import { linkExpiryWarning } from '../expiry.js';
import { formatDateTime, formatRelative, humanize } from '../format.js';
import { linkFlashMessage, readLinkFlash, shouldShowLinkFlash, type LinkFlash } from '../link-flash.js';
import { isSyncActive, linkAction, linkMaySync, progressValue, syncStatusText } from '../sync.js';
import type { Link, LinkStatus, Portal, SyncStatus } from '../types.js';
import { safeNavigationUrl } from '../urls.js';
import { banner, loading, pageHeading, type ViewContext } from '../view.js';

const POLL_MS = 1000;

const STATUS_LABEL: Record<LinkStatus, string> = {
  active: 'Active',
  syncing: 'Syncing',
  'needs-relink': 'Needs linking again',
  error: 'Error',
};

export async function renderPortals(ctx: ViewContext): Promise<void> {
  const { signal } = ctx;
  // The portal sent the browser back here with flags: read them once and clean the address bar.
  const { flash, rest } = readLinkFlash(ctx.url.search);
  if (flash) window.history.replaceState(window.history.state, '', `${ctx.url.pathname}${rest}${ctx.url.hash}`);

  const flashArea = h('div', { class: 'flash-area' });
  const message = h('div', { class: 'form-message' });
  const linksList = h('ul', { class: 'link-list', 'aria-labelledby': 'links-heading' });
  const linksArea = h('div', null, loading('Loading your linked portals…'));
  const catalogArea = h('div', null, loading('Loading portals…'));
  replace(
    ctx.main,
    pageHeading('Your portals'),
    flashArea,
    message,
    h(
      'section',
      { 'aria-labelledby': 'links-heading' },
      h('h2', { id: 'links-heading', tabindex: -1 }, 'Linked portals'),
      h('p', { class: 'hint' }, 'carebinder signs in to each portal for you and copies your records into the binder. Nothing is changed at the hospital.'),
      linksArea,
    ),
    h(
      'section',
      { 'aria-labelledby': 'catalog-heading' },
      h('h2', { id: 'catalog-heading' }, 'Link a portal'),
      h('p', { class: 'hint' }, 'You will sign in at the hospital’s own portal, then come back here.'),
      catalogArea,
    ),
  );

  const polling = new Set<string>();
  /** Links whose last poll ended: the list may still say "syncing" for a moment; do not poll those again by themselves. */
  const settled = new Set<string>();
  const lastStatus = new Map<string, SyncStatus>();
  /** The furthest the bar has shown, per link and sync job. */
  const highest = new Map<string, number>();
  let links: Link[] = [];
  let portals: Portal[] = [];

  const showFailure = (error: unknown) => {
    if (isAbort(error)) return;
    ctx.fail(error, message);
  };

  async function linkPortal(portalId: string, trigger: HTMLButtonElement): Promise<void> {
    trigger.disabled = true;
    replace(message, h('p', { role: 'status' }, 'Opening the portal’s sign-in page…'));
    try {
      const { authorizeUrl } = await api.link(portalId);
      const target = safeNavigationUrl(authorizeUrl, window.location.href);
      if (!target) throw new Error('The portal’s sign-in address is not a web address.');
      window.location.assign(target);
    } catch (error) {
      trigger.disabled = false;
      showFailure(error);
    }
  }

  async function syncNow(link: Link, trigger: HTMLButtonElement): Promise<void> {
    trigger.disabled = true;
    replace(message);
    try {
      const { jobId } = await api.startSync(link.id);
      settled.delete(link.id);
      lastStatus.set(link.id, { state: 'queued', jobId: null, fullPass: null, startedAt: null, finishedAt: null, pagesDone: 0, progress: 0, types: {}, errors: [], warnings: [] });
      renderSync(link);
      announce(`Sync started for ${link.portal.name}.`);
      // The job may take a moment to show up: "idle" right after starting it is not the end.
      // Until the new job shows, the status may still describe the previous sync: not this one's end.
      void poll(link, 5, jobId);
    } catch (error) {
      trigger.disabled = false;
      showFailure(error);
    }
  }

  async function unlink(link: Link, trigger: HTMLButtonElement): Promise<void> {
    const answer = await confirmDialog({
      title: `Unlink ${link.portal.name}?`,
      message: `carebinder will stop syncing ${link.portal.name} and forget its sign-in. You can link it again later.`,
      checkbox: 'Also delete this portal’s records from the binder',
      confirmLabel: 'Unlink',
      danger: true,
      returnFocus: trigger,
    });
    if (!answer.confirmed) return;
    try {
      await api.unlink(link.id, answer.checked);
      replace(message, banner('success', `Unlinked ${link.portal.name}${answer.checked ? ' and deleted its records' : ''}.`));
      await refreshLinks();
      document.getElementById('links-heading')?.focus();
    } catch (error) {
      showFailure(error);
    }
  }

  async function poll(link: Link, idleGrace = 0, awaitedJob: string | null = null): Promise<void> {
    if (polling.has(link.id)) return;
    polling.add(link.id);
    try {
      for (let round = 0; ; round += 1) {
        const status = await api.syncStatus(link.id, signal);
        const previous = awaitedJob !== null && status.jobId !== awaitedJob && !isSyncActive(status.state) && round < 30;
        const starting = (status.state === 'idle' && round < idleGrace) || previous;
        if (!starting) {
          lastStatus.set(link.id, status);
          renderSync(link);
        }
        if (!starting && !isSyncActive(status.state)) {
          settled.add(link.id);
          const ended = status.state === 'succeeded' || status.state === 'incomplete' || status.state === 'failed';
          if (ended) announce(`${link.portal.name}: ${syncStatusText(status)}`);
          // "carebinder is fetching your records now" is no longer true: the row says how it ended.
          if (ended && flash?.outcome === 'success' && flash.portalId === link.portal.id) replace(flashArea);
          break;
        }
        await sleep(POLL_MS, signal);
      }
    } catch (error) {
      showFailure(error);
      return;
    } finally {
      polling.delete(link.id);
    }
    await refreshLinks().catch(showFailure);
  }

  function rowOf(linkId: string): HTMLElement | null {
    return linksList.querySelector(`[data-link-id="${CSS.escape(linkId)}"]`);
  }

  /** The progress part of a row, from the last known sync status. */
  function renderSync(link: Link): void {
    const row = rowOf(link.id);
    const area = row?.querySelector<HTMLElement>('.sync');
    if (!row || !area) return;
    const status = lastStatus.get(link.id);
    const button = row.querySelector<HTMLButtonElement>('[data-action="sync"]');
    const active = status ? isSyncActive(status.state) : linkMaySync(link);
    if (button) button.disabled = active || link.status === 'needs-relink';
    if (!status) {
      replace(area, active ? syncBar(link, null, 'Checking the sync…') : null);
      return;
    }
    if (isSyncActive(status.state)) {
      // The bar never moves backwards within one sync (the server's figure is an estimate).
      const value = progressValue(status);
      const key = `${link.id}|${status.jobId ?? ''}`;
      const shown = value === null ? null : Math.max(value, highest.get(key) ?? 0);
      if (shown !== null) highest.set(key, shown);
      replace(area, syncBar(link, shown, syncStatusText(status)));
    } else if (status.state === 'failed' || status.state === 'incomplete') {
      replace(area, h('p', { class: 'sync-text text-error' }, syncStatusText(status)), problemsList(status));
    } else if (status.state === 'succeeded') {
      replace(area, h('p', { class: 'sync-text' }, syncStatusText(status)), problemsList(status));
    } else {
      replace(area);
    }
  }

  function linkRow(link: Link): HTMLLIElement {
    const now = new Date();
    const warning = linkExpiryWarning(link, now);
    const needsRelink = link.status === 'needs-relink';
    const action = linkAction(link, warning?.kind === 'expired');
    const last = link.lastSync.finishedAt ?? link.lastSync.startedAt;
    const lastText = last
      ? `${link.lastSync.state === 'failed' ? 'Failed' : humanize(link.lastSync.state ?? 'synced')} ${formatDateTime(last)} (${formatRelative(last, now)})`
      : 'Not synced yet';
    // One way forward: sign in at the portal again when only that can help, else sync.
    const primary =
      action === 'relink'
        ? h(
            'button',
            { type: 'button', class: 'button', 'data-action': 'relink', on: { click: (event) => void linkPortal(link.portal.id, event.currentTarget as HTMLButtonElement) } },
            'Link again',
          )
        : h(
            'button',
            { type: 'button', class: 'button', 'data-action': 'sync', on: { click: (event) => void syncNow(link, event.currentTarget as HTMLButtonElement) } },
            'Sync now',
          );
    return h(
      'li',
      { class: `card link-row link-${link.status}`, 'data-link-id': link.id, 'data-status': link.status },
      h('h3', null, link.portal.name),
      facts([
        {
          label: 'Status',
          value: [h('span', { class: `status status-${link.status}` }, STATUS_LABEL[link.status] ?? humanize(link.status)), link.statusReason && (needsRelink || link.status === 'error' || link.lastSync.state === 'incomplete') ? ` — ${link.statusReason}` : ''],
        },
        { label: 'Last sync', value: lastText },
      ]),
      action === 'relink'
        ? banner('warning', h('p', null, needsRelink || link.status === 'error' ? `${link.portal.name} asks you to sign in again before carebinder can sync. Press Link again.` : (warning?.message ?? '')))
        : warning
          ? banner('warning', h('p', null, warning.message))
          : null,
      h('div', { class: 'sync', 'aria-live': 'off' }),
      h(
        'div',
        { class: 'actions' },
        primary,
        h(
          'button',
          { type: 'button', class: 'button secondary', 'data-action': 'unlink', on: { click: (event) => void unlink(link, event.currentTarget as HTMLButtonElement) } },
          'Unlink',
        ),
      ),
    );
  }

  function renderLinks(): void {
    // Keep focus on the same control of the same row across a refresh.
    const active = document.activeElement;
    const focusedRow = active instanceof HTMLElement && linksList.contains(active) ? active.closest<HTMLElement>('[data-link-id]')?.dataset.linkId : undefined;
    const focusedAction = active instanceof HTMLElement ? active.dataset.action : undefined;
    replace(linksList, links.map(linkRow));
    if (links.length === 0) {
      replace(linksArea, h('p', null, 'No portals linked yet. Pick your hospital below to start your binder.'));
    } else {
      replace(linksArea, linksList);
    }
    for (const link of links) {
      renderSync(link);
      // Just linked or said to be syncing: its job may not be visible yet, so "idle" at first is not the end.
      if (!settled.has(link.id) && (linkMaySync(link) || (flash?.outcome === 'success' && flash.portalId === link.portal.id))) void poll(link, 5);
    }
    if (focusedRow && focusedAction) {
      const target = rowOf(focusedRow)?.querySelector<HTMLElement>(`[data-action="${focusedAction}"]`);
      if (target && !(target as HTMLButtonElement).disabled) {
        target.focus();
      } else {
        const heading = rowOf(focusedRow)?.querySelector<HTMLElement>('h3');
        heading?.setAttribute('tabindex', '-1');
        heading?.focus();
      }
    }
    renderCatalog();
  }

  let catalogKey: string | null = null;
  function renderCatalog(): void {
    // Only when what it shows changed: rebuilding would take focus from a Link button.
    const key = `${portals.map((portal) => portal.id).join()}|${links.map((link) => link.portal.id).sort().join()}`;
    if (key === catalogKey) return;
    catalogKey = key;
    if (portals.length === 0) {
      replace(catalogArea, h('p', null, 'No portals are set up on this carebinder yet. Ask whoever runs it to add your hospital.'));
      return;
    }
    const linked = new Set(links.map((link) => link.portal.id));
    replace(
      catalogArea,
      h(
        'ul',
        { class: 'catalog', 'aria-labelledby': 'catalog-heading' },
        portals.map((portal) =>
          h(
            'li',
            { class: 'card portal', 'data-portal-id': portal.id },
            portal.brand.logoUrl ? h('img', { src: portal.brand.logoUrl, alt: '', class: 'logo', width: 40, height: 40, loading: 'lazy', referrerpolicy: 'no-referrer' }) : null,
            h(
              'div',
              { class: 'portal-text' },
              h('h3', null, portal.name),
              portal.brand.portalName || portal.brand.description ? h('p', { class: 'hint' }, portal.brand.portalName ?? '', portal.brand.portalName && portal.brand.description ? ' — ' : '', portal.brand.description ?? '') : null,
              linked.has(portal.id) ? h('p', { class: 'hint' }, 'Linked: sync it or link it again under Linked portals above.') : null,
            ),
            // A linked portal's actions are on its row above; another Link here would repeat the whole portal sign-in.
            linked.has(portal.id)
              ? null
              : h(
                  'button',
                  { type: 'button', class: 'button', 'aria-label': `Link ${portal.name}`, on: { click: (event) => void linkPortal(portal.id, event.currentTarget as HTMLButtonElement) } },
                  'Link',
                ),
          ),
        ),
      ),
    );
  }

  async function refreshLinks(): Promise<void> {
    links = (await api.links(signal)).links;
    renderLinks();
  }

  function showFlash(f: LinkFlash): void {
    if (!shouldShowLinkFlash(f, links.map((link) => link.portal.id))) return;
    const name = portals.find((portal) => portal.id === f.portalId)?.name ?? links.find((link) => link.portal.id === f.portalId)?.portal.name ?? null;
    replace(
      flashArea,
      banner(
        f.outcome === 'success' ? 'success' : 'error',
        h('p', null, linkFlashMessage(f, name)),
        h('button', { type: 'button', class: 'link-button', on: { click: () => replace(flashArea) } }, 'Dismiss'),
      ),
    );
  }

  try {
    const [portalList, linkList] = await Promise.all([api.portals(signal), api.links(signal)]);
    portals = portalList.portals;
    links = linkList.links;
    if (flash) showFlash(flash);
    renderLinks();
  } catch (error) {
    if (isAbort(error)) return;
    if (flash) showFlash(flash);
    replace(linksArea, banner('error', errorMessage(error)));
    replace(catalogArea);
    ctx.fail(error, message);
  }
}

function syncBar(link: Link, value: number | null, text: string): HTMLElement {
  const progress = h('progress', { max: 1, 'aria-label': `Sync progress for ${link.portal.name}` });
  if (value !== null) progress.value = value;
  return h('div', { class: 'sync-bar' }, progress, h('p', { class: 'sync-text' }, text));
}

function problemsList(status: SyncStatus): HTMLElement | null {
  const problems = [...status.errors.slice(status.state === 'failed' ? 1 : 0), ...status.warnings];
  if (problems.length === 0) return null;
  return h(
    'details',
    { class: 'problems' },
    h('summary', null, `${problems.length} ${problems.length === 1 ? 'note' : 'notes'} from the last sync`),
    h('ul', null, problems.slice(0, 50).map((p) => h('li', null, p))),
  );
}
