import type { App } from '../../src/app.js';

export interface SyncStatus {
  state: 'idle' | 'queued' | 'running' | 'succeeded' | 'incomplete' | 'failed';
  jobId: string | null;
  fullPass: boolean | null;
  pagesDone: number;
  progress: number;
  types: Record<string, { fetched: number; stored: number; rejected: number; pages: number; status: string; note?: string }>;
  errors: string[];
  warnings: string[];
}

export async function syncStatus(app: App, cookie: string, linkId: string): Promise<SyncStatus> {
  const response = await app.inject({ method: 'GET', url: `/api/links/${linkId}/sync`, headers: { cookie } });
  if (response.statusCode !== 200) throw new Error(`sync status answered ${response.statusCode}: ${response.body}`);
  return response.json<SyncStatus>();
}

/** Waits until the given job (or, without one, the latest sync) has finished. */
export async function waitForSync(app: App, cookie: string, linkId: string, jobId?: string, timeoutMs = 60_000): Promise<SyncStatus> {
  const started = Date.now();
  for (;;) {
    const status = await syncStatus(app, cookie, linkId);
    const finished = status.state === 'succeeded' || status.state === 'incomplete' || status.state === 'failed';
    if (finished && (!jobId || status.jobId === jobId)) return status;
    if (Date.now() - started > timeoutMs) throw new Error(`sync of ${linkId} did not finish: ${JSON.stringify(status).slice(0, 800)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function syncNow(app: App, cookie: string, linkId: string, full = false): Promise<string> {
  const response = await app.inject({ method: 'POST', url: `/api/links/${linkId}/sync${full ? '?full=true' : ''}`, headers: { cookie } });
  if (response.statusCode !== 202) throw new Error(`sync now answered ${response.statusCode}: ${response.body}`);
  return response.json<{ jobId: string }>().jobId;
}
