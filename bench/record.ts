// npm run bench:record — a patient with 10,000 stored resources (synced through the real path:
// sandbox, SMART link, worker process), served by the API in a process of its own.
// (1) GET /api/record and a 200-item page of GET /api/record/health-history-tests at 16
//     concurrent keep-alive connections, each beside a bare baseline in the same server
//     (same guard, same pool: one SQL query, rows selected as JSON text and joined as is),
//     measured in interleaved rounds;
// (2) the export of 100,000 stored resources (the 10,000 rows copied under new resource ids),
//     read in full, with the API process's peak RSS (VmHWM, reset just before the export);
// (3) informational: the first concurrent requests after the binder changed (cold index), at
//     10,000 and at 100,000 records, and the page beside its baseline at 100,000 records.
// (4) the binder PDF and the zip of those 100,000 records with 2,000 documents (the copied
//     DocumentReferences get documents of their own), each read in full, with the API's peak RSS.
// Last line: bench:record summary_p99_ms=… summary_ratio=… page_p99_ms=… page_ratio=… export_peak_rss_mb=… pdf_ms=… pdf_peak_rss_mb=… zip_peak_rss_mb=…
// Environment: BENCH_RESOURCES (10000), BENCH_EXPORT_RESOURCES (100000), BENCH_DOCUMENTS (2000), BENCH_REQUESTS (2000 per
// scenario), BENCH_SCALE_REQUESTS (320), BENCH_CONCURRENCY (16), BENCH_REDIS_URL (redis://127.0.0.1:6379/4),
// BENCH_API_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" for the API process).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createPool, type Pool } from '../src/db/pool.js';
import { ROOT, benchConfig, dropDatabase, freshDatabase, linkBenchPatient, round, startSandboxProcess, type LinkedBench, type SandboxProcess } from './lib.js';
import { createAgent, get, load, stats, type LoadResult, type Stats } from './record-load.js';

const RESOURCES = Number(process.env.BENCH_RESOURCES ?? 10_000);
const EXPORT_RESOURCES = Number(process.env.BENCH_EXPORT_RESOURCES ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const WARMUP = 200;
const ROUNDS = 4;
const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 2_000);
const SCALE_REQUESTS = Number(process.env.BENCH_SCALE_REQUESTS ?? 320); // per side, at EXPORT_RESOURCES records (informational)
const DB = 'carebinder_bench_record';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/4';
const SECRET_KEY = Buffer.alloc(32, 3).toString('base64'); // the key benchConfig links with
const PAGE_CATEGORY = 'health-history-tests';

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function stopChild(child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

async function waitForRun(pool: Pool, linkId: string, timeoutMs: number): Promise<{ ms: number; state: string; fetched: number; written: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ state: string; ms: number; types: Record<string, { stored: number; fetched: number }> }>(
      `SELECT state, extract(epoch FROM (finished_at - started_at)) * 1000 AS ms, types FROM sync_runs
        WHERE link_id = $1 AND state <> 'running' ORDER BY id DESC LIMIT 1`,
      [linkId],
    );
    const run = rows[0];
    if (run) {
      const types = Object.values(run.types);
      return { ms: Number(run.ms), state: run.state, fetched: types.reduce((s, t) => s + t.fetched, 0), written: types.reduce((s, t) => s + t.stored, 0) };
    }
    if (Date.now() > deadline) throw new Error('the first sync did not finish in time');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function startApi(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const flags = process.env.BENCH_API_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = track(
    spawn(process.execPath, [...flags, '--import', 'tsx', 'bench/record-server.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        REDIS_URL,
        CAREBINDER_SECRET_KEY: SECRET_KEY,
        PORT: '0',
        HOST: '127.0.0.1',
        PUBLIC_URL: 'http://127.0.0.1:3998',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the API did not start: ${output}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const address = /^bench api (\S+)$/m.exec(output)?.[1];
      if (address) {
        clearTimeout(timer);
        resolve(address);
      }
    });
    child.once('exit', (code) => reject(new Error(`the API exited ${code}: ${output}`)));
  });
  return { child, url };
}

async function memory(pid: number): Promise<{ rssMb: number; peakMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const mb = (field: string) => Math.round(Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024);
  return { rssMb: mb('VmRSS'), peakMb: mb('VmHWM') };
}

/** Resets VmHWM to the current RSS (Linux: clear_refs 5), so a later read is the peak since now. */
async function resetPeak(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function line(name: string, s: Stats): void {
  console.log(`${name.padEnd(20)} n=${s.requests} p50=${round(s.p50, 2)} ms p99=${round(s.p99, 2)} ms rps=${round(s.rps, 1)} body=${round(s.meanBytes / 1024, 1)} KiB`);
}

interface Scenario {
  name: string;
  path: string;
}

/** Warm-up, then rounds alternating the order of carebinder and its baseline. */
async function compare(
  agent: http.Agent,
  base: string,
  headers: Record<string, string>,
  cb: Scenario,
  baseline: Scenario,
  requests = REQUESTS,
): Promise<{ cb: Stats; baseline: Stats }> {
  for (const s of [baseline, cb]) await load(agent, base + s.path, headers, Math.min(WARMUP, requests / 4), CONCURRENCY);
  const results = new Map<string, LoadResult[]>([
    [cb.name, []],
    [baseline.name, []],
  ]);
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? [baseline, cb] : [cb, baseline];
    for (const s of order) {
      const result = await load(agent, base + s.path, headers, Math.ceil(requests / ROUNDS), CONCURRENCY);
      const unexpected = [...result.statuses].filter(([status]) => status !== 200);
      if (unexpected.length) throw new Error(`${s.name}: answers other than 200: ${JSON.stringify(unexpected)}`);
      results.get(s.name)!.push(result);
    }
  }
  return { cb: stats(results.get(cb.name)!), baseline: stats(results.get(baseline.name)!) };
}

async function getJson<T>(agent: http.Agent, url: string, headers: Record<string, string>): Promise<T> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          if (response.statusCode !== 200) reject(new Error(`${url} answered ${response.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 300)}`));
          else resolve(JSON.parse(Buffer.concat(chunks).toString()) as T);
        });
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Checks both sides answer the same question: the ids each shows per category. */
async function sanity(agent: http.Agent, base: string, headers: Record<string, string>): Promise<void> {
  type Summary = { categories: Array<{ id: string; count?: number; items: Array<{ id: string }> }> };
  const [cb, bare] = await Promise.all([getJson<Summary>(agent, `${base}/api/record`, headers), getJson<Summary>(agent, `${base}/api/bench-baseline/summary`, headers)]);
  const bareIds = new Map(bare.categories.map((c) => [c.id, new Set(c.items.map((i) => i.id))]));
  const shown = cb.categories.map((c) => `${c.id}:${c.items.length}/${c.count}(${c.items.filter((i) => bareIds.get(c.id)?.has(i.id)).length} same)`);
  console.log(`summary: ${shown.join(' ')}`);
  const [page, barePage] = await Promise.all([
    getJson<{ items: Array<{ id: string }>; count: number }>(agent, `${base}/api/record/${PAGE_CATEGORY}?limit=200`, headers),
    getJson<Array<{ id: string }>>(agent, `${base}/api/bench-baseline/page?category=${PAGE_CATEGORY}&limit=200`, headers),
  ]);
  const same = new Set(barePage.map((i) => i.id));
  console.log(`page: ${page.items.length} items of ${page.count} (${page.items.filter((i) => same.has(i.id)).length} also in the baseline's ${barePage.length})`);
  if (page.items.length !== 200 || barePage.length !== 200) throw new Error('the page scenario needs at least 200 records in the category');
}

/**
 * The first requests after the binder changed (a sync stored something): CONCURRENCY at once,
 * each finding the cached index stale. Informational: latencies and the API's peak RSS meanwhile.
 */
async function coldBurst(agent: http.Agent, url: string, headers: Record<string, string>, pid: number, label: string): Promise<void> {
  const reset = await resetPeak(pid);
  const before = await memory(pid);
  const answers = await Promise.all(Array.from({ length: CONCURRENCY }, () => get(agent, url, headers)));
  const after = await memory(pid);
  const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
  console.log(
    `${label}: ${CONCURRENCY} concurrent GET /api/record with a stale index: fastest ${round(ms[0])} ms, slowest ${round(ms[ms.length - 1])} ms; API RSS ${before.rssMb} → ${after.rssMb} MB, peak ${reset ? 'meanwhile' : 'so far'} ${after.peakMb} MB`,
  );
}

async function multiplyRecords(pool: Pool, accountId: string, target: number): Promise<number> {
  const count = async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM records WHERE account_id = $1', [accountId])).rows[0].n;
  const have = await count();
  if (have >= target) return have;
  const copies = Math.ceil((target - have) / have);
  await pool.query(
    `INSERT INTO records (account_id, link_id, resource_type, resource_id, version_id, last_updated, content_hash, resource, title, effective_at,
                          date_text, end_date_text, status, codes, categories, rules_version, binder, duplicate_keys, first_seen_at, last_changed_at, removed_at_source)
     SELECT account_id, link_id, resource_type, r.resource_id || '-c' || k, version_id, last_updated, content_hash,
            jsonb_set(resource, '{id}', to_jsonb(r.resource_id || '-c' || k)), title, effective_at,
            date_text, end_date_text, status, codes, categories, rules_version, binder,
            ARRAY(SELECT d || '#' || k FROM unnest(duplicate_keys) AS d), first_seen_at, last_changed_at, removed_at_source
       FROM (SELECT * FROM records WHERE account_id = $1) r CROSS JOIN generate_series(1, $2::int) AS k
      ORDER BY k, r.id LIMIT $3`,
    [accountId, copies, target - have],
  );
  await pool.query('ANALYZE records');
  return count();
}

/** Reads the whole export as a stream, sampling the API's RSS meanwhile. */
async function readExport(agent: http.Agent, url: string, headers: Record<string, string>, pid: number): Promise<{ bytes: number; ms: number; entries: number; parsed: boolean; sampledMaxRssMb: number }> {
  let sampledMaxRssMb = 0;
  const sampler = setInterval(() => {
    memory(pid).then(
      (m) => (sampledMaxRssMb = Math.max(sampledMaxRssMb, m.rssMb)),
      () => {},
    );
  }, 50);
  const started = performance.now();
  try {
    return await new Promise((resolve, reject) => {
      http
        .get(url, { agent, headers }, (response) => {
          if (response.statusCode !== 200) {
            reject(new Error(`export answered ${response.statusCode}`));
            response.resume();
            return;
          }
          const MARK = '{"fullUrl":';
          const chunks: Buffer[] = [];
          let bytes = 0;
          let entries = 0;
          let tail = '';
          response.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            chunks.push(chunk);
            const text = tail + chunk.toString('latin1');
            for (let at = text.indexOf(MARK); at !== -1; at = text.indexOf(MARK, at + MARK.length)) entries++;
            tail = text.slice(-(MARK.length - 1));
          });
          response.on('end', () => {
            const ms = performance.now() - started;
            const all = Buffer.concat(chunks);
            const head = all.subarray(0, 60).toString();
            const end = all.subarray(all.length - 2).toString();
            if (!head.startsWith('{"resourceType":"Bundle","type":"collection"') || end !== ']}') {
              reject(new Error(`the export is not a Bundle: ${head} … ${end}`));
              return;
            }
            let parsed = false;
            if (all.length < 500 * 1024 * 1024) {
              const bundle = JSON.parse(all.toString()) as { resourceType: string; entry: unknown[] };
              if (bundle.resourceType !== 'Bundle' || bundle.entry.length !== entries) {
                reject(new Error(`the export parsed to ${bundle.resourceType} with ${bundle.entry.length} entries, counted ${entries}`));
                return;
              }
              parsed = true;
            }
            resolve({ bytes, ms, entries, parsed, sampledMaxRssMb });
          });
          response.on('error', reject);
        })
        .on('error', reject);
    });
  } finally {
    clearInterval(sampler);
  }
}

/**
 * Gives the copied DocumentReferences documents of their own until the account has `target`: each
 * points at a new URL whose stored document is the original's bytes plus a line naming the copy
 * (so every file differs, as real documents do).
 */
async function multiplyDocuments(pool: Pool, accountId: string, target: number): Promise<number> {
  const count = async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM documents WHERE account_id = $1', [accountId])).rows[0].n;
  const have = await count();
  if (have >= target) return have;
  await pool.query(
    `WITH picked AS MATERIALIZED (
       SELECT r.id, r.link_id, r.resource #>> '{content,0,attachment,url}' AS url, split_part(r.resource_id, '-c', 2) AS k
         FROM records r
        WHERE r.account_id = $1 AND r.resource_type = 'DocumentReference' AND r.resource_id LIKE '%-c%'
          AND r.resource #>> '{content,0,attachment,url}' IS NOT NULL
          AND EXISTS (SELECT 1 FROM documents d WHERE d.link_id = r.link_id AND d.source_url = r.resource #>> '{content,0,attachment,url}')
        ORDER BY r.id LIMIT $2),
     moved AS (
       UPDATE records r SET resource = jsonb_set(r.resource, '{content,0,attachment,url}', to_jsonb(p.url || '-c' || p.k)),
                            binder = jsonb_set(jsonb_set(r.binder, '{documents,0,url}', to_jsonb(p.url || '-c' || p.k)), '{documents,0,sourceUrl}', to_jsonb(p.url || '-c' || p.k))
         FROM picked p WHERE r.id = p.id RETURNING r.id)
     INSERT INTO documents (account_id, link_id, source_url, content_type, size_bytes, sha256, content)
     SELECT $1, p.link_id, p.url || '-c' || p.k, d.content_type, length(c.bytes), sha256(c.bytes), c.bytes
       FROM picked p JOIN documents d ON d.link_id = p.link_id AND d.source_url = p.url
            CROSS JOIN LATERAL (SELECT d.content || convert_to(E'\\n% copy ' || p.k, 'UTF8') AS bytes) c
         ON CONFLICT DO NOTHING`,
    [accountId, target - have],
  );
  const left = target - (await count());
  if (left > 0) {
    // Not enough copied documents: copied lab reports get a presented form of their own.
    await pool.query(
      `WITH templates AS MATERIALIZED (
         SELECT (row_number() OVER (ORDER BY id) - 1)::int AS i, source_url, content_type, content FROM documents
          WHERE account_id = $1 AND source_url NOT LIKE '%-c%'),
       picked AS MATERIALIZED (
         SELECT r.id, r.link_id, ((row_number() OVER (ORDER BY r.id) - 1) % (SELECT count(*) FROM templates))::int AS i
           FROM records r WHERE r.account_id = $1 AND r.resource_type = 'DiagnosticReport' AND r.resource_id LIKE '%-c%' AND NOT r.resource ? 'presentedForm'
          ORDER BY r.id LIMIT $2),
       pairs AS MATERIALIZED (
         SELECT p.id, p.link_id, t.source_url || '-r' || p.id AS url, t.content_type, t.content || convert_to(E'\\n% report ' || p.id, 'UTF8') AS bytes
           FROM picked p JOIN templates t ON t.i = p.i),
       moved AS (
         UPDATE records r SET resource = r.resource || jsonb_build_object('presentedForm', jsonb_build_array(jsonb_build_object('contentType', q.content_type, 'url', q.url))),
                              binder = r.binder || jsonb_build_object('documents', jsonb_build_array(jsonb_build_object('contentType', q.content_type, 'url', q.url, 'sourceUrl', q.url)))
           FROM pairs q WHERE r.id = q.id RETURNING r.id)
       INSERT INTO documents (account_id, link_id, source_url, content_type, size_bytes, sha256, content)
       SELECT $1, q.link_id, q.url, q.content_type, length(q.bytes), sha256(q.bytes), q.bytes FROM pairs q
           ON CONFLICT DO NOTHING`,
      [accountId, left],
    );
  }
  return count();
}

/** Reads a whole answer, sampling the API's RSS meanwhile; keeps only the head and the tail. */
async function readBody(agent: http.Agent, url: string, headers: Record<string, string>, pid: number): Promise<{ bytes: number; ms: number; head: Buffer; tail: Buffer; sampledMaxRssMb: number }> {
  let sampledMaxRssMb = 0;
  const sampler = setInterval(() => {
    memory(pid).then(
      (m) => (sampledMaxRssMb = Math.max(sampledMaxRssMb, m.rssMb)),
      () => {},
    );
  }, 50);
  const started = performance.now();
  try {
    return await new Promise((resolve, reject) => {
      http
        .get(url, { agent, headers }, (response) => {
          if (response.statusCode !== 200) {
            reject(new Error(`${url} answered ${response.statusCode}`));
            response.resume();
            return;
          }
          let bytes = 0;
          let head = Buffer.alloc(0);
          let tail = Buffer.alloc(0);
          response.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (head.length < 64) head = Buffer.concat([head, chunk]).subarray(0, 64);
            tail = Buffer.concat([tail, chunk]).subarray(-64);
          });
          response.on('end', () => resolve({ bytes, ms: performance.now() - started, head, tail, sampledMaxRssMb }));
          response.on('error', reject);
        })
        .on('error', reject);
    });
  } finally {
    clearInterval(sampler);
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const elapsed = () => `${round((performance.now() - started) / 1000, 1)} s`;
  let sandbox: SandboxProcess | undefined;
  let linked: LinkedBench | undefined;
  let pool: Pool | undefined;
  let databaseCreated = false;
  try {
    console.log(`bench:record: generating a patient with ${RESOURCES} resources in the sandbox…`);
    sandbox = await startSandboxProcess(RESOURCES);
    track(sandbox.child);
    const databaseUrl = await freshDatabase(DB);
    databaseCreated = true;
    const { Redis } = await import('ioredis');
    const redis = new Redis(REDIS_URL);
    await redis.flushdb();
    await redis.quit();
    linked = await linkBenchPatient(benchConfig(databaseUrl, REDIS_URL), sandbox.fhirBaseUrl);
    const { cookie, accountId, linkId } = linked;
    pool = createPool(databaseUrl, 'carebinder-bench-record', 2);

    // The first sync (queued at link time), run by a worker process.
    const worker = track(
      spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL, CAREBINDER_SECRET_KEY: SECRET_KEY, LOG_LEVEL: 'warn', WORKER_CONCURRENCY: '1' },
        stdio: ['ignore', 'inherit', 'inherit'],
      }),
    );
    const run = await waitForRun(pool, linkId, 10 * 60_000);
    await stopChild(worker);
    if (run.state !== 'succeeded') throw new Error(`the sync ${run.state}`);
    await linked.close();
    linked = undefined;
    await sandbox.stop();
    sandbox = undefined;
    await pool.query('ANALYZE records');
    const { rows: counts } = await pool.query<{ n: number; tests: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE $2 = ANY(categories))::int AS tests FROM records WHERE account_id = $1`,
      [accountId, PAGE_CATEGORY],
    );
    console.log(`sync: ${run.fetched} resources in ${round(run.ms)} ms; ${counts[0].n} records stored, ${counts[0].tests} in ${PAGE_CATEGORY} (${elapsed()})`);

    const agent = createAgent(CONCURRENCY);
    const headers = { cookie, accept: 'application/json' }; // never If-None-Match: every answer is a 200 with a body

    // Informational, in a throw-away API process (it grows the heap): its first requests, all at once.
    const coldApi = await startApi(databaseUrl);
    await coldBurst(agent, `${coldApi.url}/api/record`, headers, coldApi.child.pid!, `cold at ${counts[0].n} records`);
    await stopChild(coldApi.child);

    // The API under test, in its own process.
    const api = await startApi(databaseUrl);
    const pid = api.child.pid!;
    await sanity(agent, api.url, headers);
    console.log(`API RSS after start-up: ${JSON.stringify(await memory(pid))} (${elapsed()})`);

    console.log(`load: ${REQUESTS} requests per scenario at ${CONCURRENCY} connections after ${WARMUP} to warm up, in ${ROUNDS} interleaved rounds`);
    const summary = await compare(agent, api.url, headers, { name: 'record summary', path: '/api/record' }, { name: 'baseline summary', path: '/api/bench-baseline/summary' });
    line('baseline summary', summary.baseline);
    line('record summary', summary.cb);
    const page = await compare(
      agent,
      api.url,
      headers,
      { name: 'record page', path: `/api/record/${PAGE_CATEGORY}?limit=200` },
      { name: 'baseline page', path: `/api/bench-baseline/page?category=${PAGE_CATEGORY}&limit=200` },
    );
    line('baseline page', page.baseline);
    line('record page', page.cb);
    const summaryRatio = summary.cb.p99 / summary.baseline.p99;
    const pageRatio = page.cb.p99 / page.baseline.p99;
    console.log(`ratios (p99 over baseline p99): summary ${round(summaryRatio, 2)}, page ${round(pageRatio, 2)}; p50 ratios: summary ${round(summary.cb.p50 / summary.baseline.p50, 2)}, page ${round(page.cb.p50 / page.baseline.p50, 2)} (${elapsed()})`);
    const afterLoad = await memory(pid);
    console.log(`API RSS after the load: ${afterLoad.rssMb} MB (peak ${afterLoad.peakMb} MB)`);

    // The export of EXPORT_RESOURCES stored resources.
    const total = await multiplyRecords(pool, accountId, EXPORT_RESOURCES);
    // The copies keep their originals' change times, which the binder's cache stamp reads: say the binder changed.
    await pool.query('UPDATE accounts SET binder_version = binder_version + 1 WHERE id = $1', [accountId]);
    const { rows: size } = await pool.query<{ mb: number }>('SELECT round(sum(pg_column_size(resource)) / 1048576.0)::int AS mb FROM records WHERE account_id = $1', [accountId]);
    console.log(`export: ${total} records stored (${size[0].mb} MB of resources as stored) (${elapsed()})`);
    const before = await memory(pid);
    const reset = await resetPeak(pid);
    const exported = await readExport(agent, `${api.url}/api/record/export.json`, headers, pid);
    const after = await memory(pid);
    const { rows: documentCount } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM documents WHERE account_id = $1', [accountId]);
    if (exported.entries !== total + documentCount[0].n) throw new Error(`the export has ${exported.entries} entries, expected ${total} records and ${documentCount[0].n} documents`);
    console.log(
      `export: ${exported.entries} entries, ${round(exported.bytes / 1048576, 1)} MB in ${round(exported.ms)} ms (${round(exported.bytes / 1048576 / (exported.ms / 1000), 1)} MB/s), ${exported.parsed ? 'parsed as a Bundle' : 'Bundle head and tail checked'}`,
    );
    console.log(
      `API RSS: before export ${before.rssMb} MB (lifetime peak ${before.peakMb} MB); after export ${after.rssMb} MB; peak ${reset ? 'during the export' : 'so far'} ${after.peakMb} MB (sampled max ${exported.sampledMaxRssMb} MB) (${elapsed()})`,
    );
    const exportPeak = reset ? Math.max(after.peakMb, exported.sampledMaxRssMb) : after.peakMb;

    // The binder PDF and the zip of the same patient, with DOCUMENTS documents.
    const documents = await multiplyDocuments(pool, accountId, DOCUMENTS);
    console.log(`pdf/zip: ${total} records, ${documents} documents (${elapsed()})`);
    const measureCopy = async (path: string, check: (head: Buffer, tail: Buffer) => boolean, label: string) => {
      const resetDone = await resetPeak(pid);
      const body = await readBody(agent, `${api.url}${path}`, headers, pid);
      const mem = await memory(pid);
      if (!check(body.head, body.tail)) throw new Error(`${label} is not what it should be: ${body.head.toString('latin1').slice(0, 20)} … ${body.tail.toString('latin1')}`);
      const peak = resetDone ? Math.max(mem.peakMb, body.sampledMaxRssMb) : mem.peakMb;
      console.log(`${label}: ${round(body.bytes / 1048576, 1)} MB in ${round(body.ms)} ms; API RSS after ${mem.rssMb} MB, peak ${resetDone ? 'meanwhile' : 'so far'} ${peak} MB (${elapsed()})`);
      return { ...body, peak };
    };
    const pdf = await measureCopy('/api/record/binder.pdf', (head, tail) => head.subarray(0, 5).toString() === '%PDF-' && tail.toString('latin1').includes('%%EOF'), 'binder.pdf');
    const zip = await measureCopy('/api/record/export.zip', (head, tail) => head.readUInt32LE(0) === 0x04034b50 && tail.includes(Buffer.from([0x50, 0x4b, 0x05, 0x06])), 'export.zip');

    // Informational, after the export (it can grow the heap): the same routes at EXPORT_RESOURCES records.
    await coldBurst(agent, `${api.url}/api/record`, headers, pid, `cold at ${total} records`);
    const scaled = await compare(
      agent,
      api.url,
      headers,
      { name: 'record page', path: `/api/record/${PAGE_CATEGORY}?limit=200` },
      { name: 'baseline page', path: `/api/bench-baseline/page?category=${PAGE_CATEGORY}&limit=200` },
      SCALE_REQUESTS,
    );
    line(`baseline page ${total / 1000}k`, scaled.baseline);
    line(`record page ${total / 1000}k`, scaled.cb);
    console.log(`page ratio at ${total} records: p99 ${round(scaled.cb.p99 / scaled.baseline.p99, 2)}, p50 ${round(scaled.cb.p50 / scaled.baseline.p50, 2)} (${elapsed()})`);
    agent.destroy();
    await stopChild(api.child);

    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    console.log(
      `targets: summary_ratio ≤ 1.5 ${verdict(summaryRatio <= 1.5)}; page_ratio ≤ 1.5 ${verdict(pageRatio <= 1.5)}; export peak RSS ≤ 300 MB ${verdict(exportPeak <= 300)}; ` +
        `PDF < 60 s ${verdict(pdf.ms < 60_000)}; PDF peak RSS < 300 MB ${verdict(pdf.peak < 300)}; zip peak RSS < 300 MB ${verdict(zip.peak < 300)}`,
    );
    console.log(
      `bench:record summary_p99_ms=${round(summary.cb.p99, 2)} summary_ratio=${round(summaryRatio, 2)} page_p99_ms=${round(page.cb.p99, 2)} page_ratio=${round(pageRatio, 2)} export_peak_rss_mb=${exportPeak} pdf_ms=${Math.round(pdf.ms)} pdf_peak_rss_mb=${pdf.peak} zip_peak_rss_mb=${zip.peak}`,
    );
  } finally {
    for (const child of [...children]) await stopChild(child);
    await linked?.close().catch(() => {});
    await pool?.end().catch(() => {});
    if (databaseCreated) await dropDatabase(DB);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: stopping the child processes and dropping ${DB}`);
    for (const child of children) child.kill('SIGKILL');
    dropDatabase(DB).then(
      () => process.exit(1),
      () => process.exit(1),
    );
  });
}

await main();
