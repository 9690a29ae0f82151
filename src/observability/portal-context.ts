// Which portal the work in progress talks to, for the `portal` label of metrics and the
// attribute of portal request spans. A sync or a linking step sets it once (withPortal) and every
// request to the portal below it, token calls included, is labelled without passing it along.
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<string>();

/** Runs `work` with `portalId` (the portal's registry id, never a patient's) as the current portal. */
export function withPortal<T>(portalId: string, work: () => T): T {
  return current.run(portalId, work);
}

/** The current portal's registry id, or "unknown" outside withPortal. */
export function currentPortal(): string {
  return current.getStore() ?? 'unknown';
}
