// npm run bench:sync — a sandbox patient with 100,000 resources (BENCH_RESOURCES to change).
// (a) baseline: the best plain pipeline here — next page fetched and parsed while the current
//     one is written, 500-row upserts on two connections, into the same table;
// (b) carebinder's real path: the queue and a worker process (validation, classification,
//     extraction, references, documents, progress per page);
// then a full re-sync of the unchanged data. Last line: one line of figures.
// ratio = sync_rps / baseline_rps (against the plain-row pipeline (a), kept for reference);
// content_ratio = sync_rps / the rate of (a2), the same pipeline writing carebinder's own row
// content (filing, binder fields, duplicate keys: what storage.ts writes). Higher is better; 1.0
// means the real path costs nothing beyond the content it must write.
import { spawn } from 'node:child_process';
import { createSecretBox } from '../src/crypto/secret-box.js';
import type { Pool } from '../src/db/pool.js';
import { createLinkRepository } from '../src/portals/links.js';
import { SYNC_TYPES, patientSearch } from '../src/sync/plan.js';
import { contentHashOf, toRecordRow, type RecordRow } from '../src/sync/record-row.js';
import { upsertRecords } from '../src/sync/storage.js';
import type { BinderFields } from '../src/records/binder-fields.js';
import { CLASSIFIER_RULES_VERSION } from '../src/records/classify/index.js';
import { ROOT, WORKER_NODE_FLAGS, benchConfig, dropDatabase, freshDatabase, linkBenchPatient, peakRssMb, round, startSandboxProcess } from './lib.js';

const RESOURCES = Number(process.env.BENCH_RESOURCES ?? 100_000);
const DB = 'carebinder_bench_sync';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/3';

const EMPTY_FIELDS = { references: [], documents: [] } as unknown as BinderFields;

function plainRow(resource: { resourceType: string; id: string }): RecordRow {
  const json = JSON.stringify(resource);
  return {
    resourceType: resource.resourceType,
    resourceId: resource.id,
    versionId: null,
    lastUpdated: null,
    contentHash: contentHashOf(json),
    json,
    title: resource.resourceType,
    effectiveAt: null,
    dateText: null,
    endDateText: null,
    status: null,
    codes: [],
    categories: [],
    // The current rules version, so the worker's re-filing job leaves the baseline's rows alone.
    rulesVersion: CLASSIFIER_RULES_VERSION,
    binder: '{}',
    duplicateKeys: [],
    fields: EMPTY_FIELDS,
  };
}

async function baseline(
  fhirBaseUrl: string,
  token: string,
  patientId: string,
  write: (rows: RecordRow[]) => Promise<number>,
  rowOf: (resource: { resourceType: string; id: string }) => RecordRow = plainRow,
): Promise<{ resources: number; ms: number }> {
  const started = performance.now();
  let resources = 0;
  const fetchPage = async (url: string) => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' } });
    return (await response.json()) as { entry?: Array<{ resource: { resourceType: string; id: string } }>; link?: Array<{ relation: string; url: string }> };
  };
  for (const type of SYNC_TYPES) {
    type Page = Awaited<ReturnType<typeof fetchPage>>;
    let next: Promise<Page> | null = fetchPage(`${fhirBaseUrl}/${type}?${new URLSearchParams({ ...patientSearch(type, patientId), _count: '1000' })}`);
    while (next) {
      const page: Page = await next;
      const nextUrl: string | undefined = page.link?.find((l) => l.relation === 'next')?.url;
      next = nextUrl ? fetchPage(nextUrl) : null;
      const rows = (page.entry ?? []).map((e) => rowOf(e.resource));
      resources += rows.length;
      await write(rows);
    }
  }
  return { resources, ms: performance.now() - started };
}

async function waitForRun(pool: Pool, linkId: string, after: number): Promise<{ ms: number; written: number; fetched: number; state: string }> {
  for (;;) {
    const { rows } = await pool.query<{ state: string; ms: number; types: Record<string, { stored: number; fetched: number }> }>(
      `SELECT state, extract(epoch FROM (finished_at - started_at)) * 1000 AS ms, types FROM sync_runs
        WHERE link_id = $1 AND state <> 'running' ORDER BY id DESC LIMIT 1 OFFSET 0`,
      [linkId],
    );
    const run = rows[0];
    const { rows: count } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM sync_runs WHERE link_id = $1 AND state <> 'running'`, [linkId]);
    if (run && count[0].n > after) {
      const types = Object.values(run.types);
      return { ms: Number(run.ms), state: run.state, written: types.reduce((s, t) => s + t.stored, 0), fetched: types.reduce((s, t) => s + t.fetched, 0) };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(): Promise<void> {
  console.log(`bench:sync: generating a patient with ${RESOURCES} resources in the sandbox…`);
  const sandbox = await startSandboxProcess(RESOURCES);
  const databaseUrl = await freshDatabase(DB);
  const config = benchConfig(databaseUrl, REDIS_URL);
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  await redis.quit();
  const linked = await linkBenchPatient(config, sandbox.fhirBaseUrl);
  try {
    const links = createLinkRepository(linked.pool, createSecretBox(config.secretKey));
    const link = (await links.findById(linked.linkId))!;
    const token = (await links.tokens(linked.linkId))!.access_token;

    // (a) Baseline into the same table, under a link of its own.
    const { rows } = await linked.pool.query<{ id: string }>(
      `INSERT INTO links (account_id, portal_id, portal_patient_id, status) VALUES ($1, 'bench', 'baseline', 'active') RETURNING id`,
      [linked.accountId],
    );
    const baselineLinkId = rows[0].id;
    const writeTo = (linkId: string) => async (pageRows: RecordRow[]) => {
      const halves = [pageRows.slice(0, 500), pageRows.slice(500)].filter((h) => h.length);
      const results = await Promise.all(halves.map((half) => upsertRecords(linked.pool, linked.accountId, linkId, half)));
      return results.reduce((s, r) => s + r.written, 0);
    };
    const base = await baseline(sandbox.fhirBaseUrl, token, link.portalPatientId, writeTo(baselineLinkId));
    const baselineRps = base.resources / (base.ms / 1000);
    console.log(`baseline: ${base.resources} resources in ${round(base.ms)} ms = ${round(baselineRps)} resources/s`);

    // (a2) The same pipeline writing carebinder's row content (filing, binder fields, duplicate
    // keys: the columns and JSON storage.ts writes), without queue, worker, validation, references
    // or progress: content_ratio's baseline. Its rows are removed again so (b) meets the table (a) left.
    const { rows: contentLink } = await linked.pool.query<{ id: string }>(
      `INSERT INTO links (account_id, portal_id, portal_patient_id, status) VALUES ($1, 'bench', 'baseline-content', 'active') RETURNING id`,
      [linked.accountId],
    );
    const withContent = await baseline(sandbox.fhirBaseUrl, token, link.portalPatientId, writeTo(contentLink[0].id), (resource) => toRecordRow(resource, 'bench'));
    const withContentRps = withContent.resources / (withContent.ms / 1000);
    console.log(`baseline with carebinder's row content: ${withContent.resources} resources in ${round(withContent.ms)} ms = ${round(withContentRps)} resources/s`);
    await linked.pool.query('DELETE FROM links WHERE id = $1', [contentLink[0].id]);
    await linked.pool.query('VACUUM records');

    // (b) The real path: the first sync (queued at link time) run by a worker process.
    // The same node flags as `npm run worker` (its heap cap), plus any given for profiling.
    const worker = spawn(process.execPath, [...WORKER_NODE_FLAGS, ...(process.env.BENCH_WORKER_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', 'workers/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL, CAREBINDER_SECRET_KEY: Buffer.alloc(32, 3).toString('base64'), LOG_LEVEL: 'warn', WORKER_CONCURRENCY: '1' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const first = await waitForRun(linked.pool, linked.linkId, 0);
    if (first.state !== 'succeeded') throw new Error(`the sync ${first.state}`);
    const syncRps = first.fetched / (first.ms / 1000);
    console.log(`sync: ${first.fetched} resources in ${round(first.ms)} ms = ${round(syncRps)} resources/s (${first.written} rows written)`);
    const contentRatio = syncRps / withContentRps;
    console.log(`sync against the baseline with carebinder's row content: content_ratio ${round(contentRatio, 2)}`);

    // Re-sync of unchanged data: a full pass, so every page is fetched and compared.
    await linked.app.inject({ method: 'POST', url: `/api/links/${linked.linkId}/sync?full=true`, headers: { cookie: linked.cookie } });
    const again = await waitForRun(linked.pool, linked.linkId, 1);
    console.log(`re-sync: ${again.fetched} resources compared in ${round(again.ms)} ms, ${again.written} rows written`);
    const rss = await peakRssMb(worker.pid!);
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker.once('exit', resolve));
    console.log(`worker peak RSS: ${rss} MB`);
    console.log(
      `bench:sync baseline_rps=${round(baselineRps)} sync_rps=${round(syncRps)} ratio=${round(syncRps / baselineRps, 2)} content_ratio=${round(contentRatio, 2)} resync_rows=${again.written} resync_speedup=${round(first.ms / again.ms, 2)} peak_rss_mb=${rss}`,
    );
  } finally {
    await linked.close();
    await sandbox.stop();
    await dropDatabase(DB);
  }
}

await main();
