// npm run bench:fleet — many patients syncing at once against portals that meter carebinder.
//
// Set-up (not timed): two sandbox hospitals in a process of their own (bench/sandbox-fleet.json:
// pages of at most 100 and 50 resources), each with BENCH_PATIENTS (200) generated patients of
// BENCH_RESOURCES_PER_PORTAL (300) resources; every patient gets a carebinder account and links
// both hospitals through the real SMART flow (sign-in and consent pages driven like a browser,
// test/helpers/linking.ts), with the sync queue paused so the first syncs wait. Then the API in a
// process of its own (bench/record-server.ts) and 2 worker processes (`npm run worker`'s entry
// and heap cap), their settings from BENCH_WORKER_CONCURRENCY (16), BENCH_PORTAL_MAX_CONCURRENCY
// (12) and BENCH_CAREBINDER_RPM (the portals' rate): what an operator sets for such a fleet
// (BENCH_WORKER_NODE_FLAGS adds node flags to the workers, e.g. --cpu-prof).
//
// Timed: both hospitals switch on 150 ms latency (BENCH_LATENCY_MS) and a token bucket of
// BENCH_PORTAL_RPM (1800) requests a minute holding BENCH_PORTAL_BURST (one second's worth);
// beyond it a data request answers 429 with Retry-After. The bucket starts full, the queue is
// resumed: every link syncs, the real workers over HTTP, while BENCH_BROWSERS (20) of the patients
// browse their binder through the API: the summary, then a category page, and so on, a person's
// reading time apart (BENCH_THINK_MS, 1,000 ms on average, 0.5–1.5× of it).
// The wall time ends at the last sync's finish.
//
// The floor: what the portals allow, whoever the client. A hospital's bucket admits at most
// burst + rate × t data requests in t seconds, so the A_h requests it admitted need at least
// (A_h − burst_h) / rate_h seconds, and the last answer comes one latency L later:
//   rate_floor = max over hospitals h of  max(0, A_h − burst_h) / rate_h  +  L
// (A_h counts the requests carebinder's syncs needed there: the bucket's 429s are not in it, and
// discovery (metadata), which the sandbox does not meter, is not either). Latency alone also bounds it: a link's
// requests cannot all go at once, since a search's next page is known only from the page before
// and a record's references only from the record, so the longest chain any link needs is
//   chain_floor = (1 metadata + the most pages of one search at either hospital + 1 reference) × L
// (the portals limit no concurrency, so all links may walk their chains in parallel). Then
//   floor_s = max(rate_floor, chain_floor)   and   ratio = wall_s / floor_s   (target ≤ 1.15).
// cpu_ms_per_1k: CPU of both workers and the API process during the timed part (/proc/<pid>/stat),
// per 1,000 resources fetched. api_p99_ms: p99 of the browsing requests (target ≤ 250).
// Last line: one line of figures.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { buildApp } from '../src/app.js';
import { createSecretBox } from '../src/crypto/secret-box.js';
import { createPool } from '../src/db/pool.js';
import { createPortalRegistry } from '../src/portals/registry.js';
import { CATEGORY_IDS } from '../src/records/categories.js';
import { linkPortal } from '../test/helpers/linking.js';
import { ROOT, WORKER_NODE_FLAGS, benchConfig, dropDatabase, freshDatabase, round } from './lib.js';
import { createAgent, get, percentile } from './record-load.js';

const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 200);
const RESOURCES = Number(process.env.BENCH_RESOURCES_PER_PORTAL ?? 300);
const BROWSERS = Math.min(PATIENTS, Number(process.env.BENCH_BROWSERS ?? 20));
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 150);
const PORTAL_RPM = Number(process.env.BENCH_PORTAL_RPM ?? 1800);
const PORTAL_BURST = Number(process.env.BENCH_PORTAL_BURST ?? Math.max(1, Math.floor(PORTAL_RPM / 60)));
/** A person's time on a page before the next click, on average (0.5–1.5× of it). */
const THINK_MS = Number(process.env.BENCH_THINK_MS ?? 1000);
const WORKERS = 2;
const WORKER_SETTINGS = {
  WORKER_CONCURRENCY: process.env.BENCH_WORKER_CONCURRENCY ?? '16',
  PORTAL_MAX_CONCURRENCY: process.env.BENCH_PORTAL_MAX_CONCURRENCY ?? '12',
  PORTAL_REQUESTS_PER_MINUTE: process.env.BENCH_CAREBINDER_RPM ?? String(PORTAL_RPM),
};
const DB = 'carebinder_bench_fleet';
// A Redis database of its own (bench:sync uses 3, bench:record 4, the tests 1; 5 is taken by
// scratch work that empties it).
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/13';
const SECRET = Buffer.alloc(32, 3).toString('base64');
const PAGE_SIZES: Record<string, number> = { north: 100, river: 50 };

interface Hospital {
  id: string;
  fhirBaseUrl: string;
  admin: string;
}

interface Traffic {
  fhirRequests: number;
  dataRequests: number;
  throttled: number;
}

function spawnLogged(args: string[], env: NodeJS.ProcessEnv, onLine: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let rest = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  return child;
}

function waitFor<T>(what: string, child: ChildProcess, check: () => T | undefined, timeoutMs = 120_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const onExit = (code: number | null) => reject(new Error(`${what}: the process exited (${code})`));
    child.once('exit', onExit);
    const poll = setInterval(() => {
      const value = check();
      if (value !== undefined) {
        clearInterval(poll);
        child.off('exit', onExit);
        resolve(value);
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        child.off('exit', onExit);
        reject(new Error(`${what}: timed out`));
      }
    }, 50);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

async function admin<T>(hospital: Hospital, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${hospital.admin}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} at ${hospital.id}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** CPU time of a process so far (user + system), in ms. */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3. Clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Runs `work` over the items, `concurrency` at a time. */
async function eachLimited<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index], index);
      }
    }),
  );
}

async function cleanRedis(): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', 'carebinder:*', 'COUNT', 1000);
    cursor = nextCursor;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg();
  console.log(`bench:fleet: ${PATIENTS} patients × 2 portals × ${RESOURCES} resources; ${LATENCY_MS} ms latency, ${PORTAL_RPM}/min buckets of ${PORTAL_BURST}; ${WORKERS} workers ${JSON.stringify(WORKER_SETTINGS)}`);
  const children: ChildProcess[] = [];
  // Interrupted: no process of this run is left behind (the database goes at the next run's start).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of children) child.kill('SIGTERM');
      process.exit(130);
    });
  }
  const hospitals: Hospital[] = [];
  const sandboxLines: string[] = [];
  const sandbox = spawnLogged(['--import', 'tsx', 'sandbox/main.ts', '--config', 'bench/sandbox-fleet.json'], process.env, (line) => sandboxLines.push(line));
  children.push(sandbox);
  let cleanup: () => Promise<void> = async () => {};
  try {
    await waitFor('sandbox', sandbox, () => (sandboxLines.some((l) => l.startsWith('Portal login')) ? true : undefined));
    for (const line of sandboxLines) {
      const match = /^sandbox (\S+) (\S+)$/.exec(line);
      if (match) hospitals.push({ id: match[1], fhirBaseUrl: match[2], admin: new URL(match[2]).origin + '/admin' });
    }
    const generated = new Map<string, Record<string, number>>();
    for (const hospital of hospitals) {
      for (let i = 0; i < PATIENTS; i++) {
        const result = await admin<{ byType: Record<string, number> }>(hospital, 'POST', '/generate-patient', {
          patientId: `gen-p${i}`,
          username: `p${i}`,
          password: 'sandbox',
          count: RESOURCES,
          seed: i + 1,
        });
        if (i === 0) generated.set(hospital.id, result.byType);
      }
    }

    const databaseUrl = await freshDatabase(DB);
    await cleanRedis();
    const config = benchConfig(databaseUrl, REDIS_URL);
    const pool = createPool(config.databaseUrl, 'carebinder-bench-fleet', 8);
    const registry = createPortalRegistry(pool, createSecretBox(config.secretKey));
    for (const hospital of hospitals) await registry.upsert({ id: hospital.id, name: `Fleet ${hospital.id}`, fhirBaseUrl: hospital.fhirBaseUrl, clientId: 'carebinder-demo' });
    const app = await buildApp(config, { pool, rateLimits: { requestsPerMinute: 10_000_000, signInsPerMinute: 100_000, signUpsPerMinute: 100_000 } });
    cleanup = async () => {
      await app.close();
      await pool.end();
      await dropDatabase(DB);
      await cleanRedis();
    };

    // Every patient links both portals; the first syncs wait in the paused queue.
    await app.queues.sync.pause();
    const linkStarted = performance.now();
    const accounts = Array.from({ length: PATIENTS }, (_, i) => ({ email: `fleet-${i}@example.org`, password: 'benchmark password', username: `p${i}` }));
    const cookies: string[] = [];
    let signIns: Promise<unknown> = Promise.resolve();
    await eachLimited(accounts, 6, async (account, index) => {
      const created = await app.inject({ method: 'POST', url: '/api/accounts', payload: { email: account.email, password: account.password } });
      if (created.statusCode >= 300) throw new Error(`sign-up answered ${created.statusCode}: ${created.body}`);
      // One sign-in at a time: the sign-in throttle charges this address before checking each password.
      const signIn = signIns.then(() => app.inject({ method: 'POST', url: '/api/session', payload: { email: account.email, password: account.password } }));
      signIns = signIn.catch(() => {});
      const signedIn = await signIn;
      const session = signedIn.cookies.find((c) => c.name === 'carebinder_session');
      if (!session) throw new Error(`sign-in answered ${signedIn.statusCode}: ${signedIn.body}`);
      const cookie = `carebinder_session=${session.value}`;
      cookies[index] = cookie;
      for (const hospital of hospitals) {
        const attempt = await linkPortal(app, cookie, hospital.id, { username: account.username, password: 'sandbox' });
        if (!String(attempt.location).includes('link=success')) throw new Error(`linking ${account.username} at ${hospital.id} failed: ${attempt.location?.toString()}`);
      }
    });
    const links = PATIENTS * hospitals.length;
    console.log(`linked ${links} portals for ${PATIENTS} patients in ${round((performance.now() - linkStarted) / 1000, 1)} s`);

    // The API and the workers, each in a process of its own.
    const serviceEnv = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL, CAREBINDER_SECRET_KEY: SECRET, HOST: '127.0.0.1', PORT: '0' };
    let apiAddress: string | undefined;
    const api = spawnLogged(['--import', 'tsx', 'bench/record-server.ts'], { ...serviceEnv, LOG_LEVEL: 'warn' }, (line) => {
      apiAddress ??= /^bench api (\S+)$/.exec(line)?.[1];
    });
    children.push(api);
    await waitFor('API', api, () => apiAddress);
    const started: boolean[] = [];
    const workers = Array.from({ length: WORKERS }, (_, i) => {
      const worker = spawnLogged([...WORKER_NODE_FLAGS, ...(process.env.BENCH_WORKER_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', 'workers/main.ts'], { ...serviceEnv, LOG_LEVEL: 'info', ...WORKER_SETTINGS }, (line) => {
        if (line.includes('"workers started"')) started[i] = true;
        else if (/"level":(40|50|60)/.test(line) && !line.includes('"job failed"')) console.log(`worker ${i + 1}: ${line.slice(0, 300)}`);
      });
      children.push(worker);
      return worker;
    });
    await Promise.all(workers.map((worker, i) => waitFor(`worker ${i + 1}`, worker, () => (started[i] ? true : undefined))));

    // The browsing patients keep the sessions they linked with (sessions live in the database).
    const browserCookies = cookies.slice(0, BROWSERS);

    // Timed from here: the portals meter, the queue goes.
    for (const hospital of hospitals) await admin(hospital, 'PUT', '/faults', { latencyMs: LATENCY_MS, tokenBucket: { perMinute: PORTAL_RPM, burst: PORTAL_BURST } });
    const pids = [...workers.map((w) => w.pid!), api.pid!];
    const cpuBefore = await Promise.all(pids.map(cpuMs));
    const t0 = Date.now();
    await app.queues.sync.resume();

    let syncing = true;
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const agent = createAgent(BROWSERS);
    const browsing = browserCookies.map(async (cookie, i) => {
      for (let n = 0; syncing; n++) {
        const path = n % 2 === 0 ? '/api/record' : `/api/record/${CATEGORY_IDS[(i + n) % CATEGORY_IDS.length]}`;
        const answer = await get(agent, `${apiAddress}${path}`, { cookie });
        if (!syncing) break;
        latencies.push(answer.ms);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, THINK_MS * (0.5 + Math.random())));
      }
    });

    const deadline = t0 + 60 * 60_000;
    let finished = 0;
    let lastReport = 0;
    while (finished < links) {
      if (Date.now() > deadline) throw new Error(`only ${finished} of ${links} syncs finished within an hour`);
      for (const [i, worker] of workers.entries()) if (worker.exitCode !== null) throw new Error(`worker ${i + 1} exited (${worker.exitCode})`);
      await new Promise((resolve) => setTimeout(resolve, 250));
      const { rows } = await pool.query<{ n: number }>(`SELECT count(DISTINCT link_id)::int AS n FROM sync_runs WHERE state <> 'running'`);
      finished = rows[0].n;
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        console.log(`  ${round((Date.now() - t0) / 1000)} s: ${finished}/${links} syncs finished, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
      }
    }
    const cpuAfter = await Promise.all(pids.map(cpuMs));
    syncing = false;
    await Promise.all(browsing);
    agent.destroy();

    const { rows: ended } = await pool.query<{ end_ms: number }>(`SELECT extract(epoch FROM max(finished_at)) * 1000 AS end_ms FROM sync_runs`);
    const wallS = (Number(ended[0].end_ms) - t0) / 1000;
    const { rows: outcome } = await pool.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM sync_runs GROUP BY state ORDER BY state`);
    const { rows: fetchedRows } = await pool.query<{ fetched: number }>(
      `SELECT coalesce(sum((t.value->>'fetched')::int), 0)::int AS fetched FROM sync_runs, jsonb_each(types) AS t`,
    );
    const resources = fetchedRows[0].fetched;
    const { rows: recordRows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM records');

    // The floor (header comment).
    const rate = PORTAL_RPM / 60;
    const perHospital = await Promise.all(
      hospitals.map(async (hospital) => {
        const status = await admin<{ traffic: Traffic }>(hospital, 'GET', '/status');
        const admitted = status.traffic.dataRequests - status.traffic.throttled;
        const byType = generated.get(hospital.id) ?? {};
        const longestSearch = Math.max(1, ...Object.entries(byType).filter(([type]) => type !== 'Binary').map(([, count]) => Math.ceil(count / PAGE_SIZES[hospital.id])));
        return { id: hospital.id, ...status.traffic, admitted, rateBoundS: Math.max(0, admitted - PORTAL_BURST) / rate, chain: 1 + longestSearch + 1 };
      }),
    );
    const rateFloor = Math.max(...perHospital.map((h) => h.rateBoundS)) + LATENCY_MS / 1000;
    const chainFloor = (Math.max(...perHospital.map((h) => h.chain)) * LATENCY_MS) / 1000;
    const floorS = Math.max(rateFloor, chainFloor);
    const cpuMsTotal = cpuAfter.reduce((sum, after, i) => sum + after - cpuBefore[i], 0);
    const sorted = [...latencies].sort((a, b) => a - b);

    for (const h of perHospital) {
      console.log(
        `${h.id}: ${h.fhirRequests} FHIR requests (${h.dataRequests} metered, ${h.throttled} answered 429, ${h.fhirRequests - h.dataRequests} discovery); ` +
          `${h.admitted} admitted need ≥ ${round(h.rateBoundS, 1)} s at ${PORTAL_RPM}/min after a burst of ${PORTAL_BURST}; longest chain ${h.chain} requests`,
      );
    }
    console.log(`syncs: ${outcome.map((o) => `${o.n} ${o.state}`).join(', ')}; ${resources} resources fetched, ${recordRows[0].n} records stored`);
    console.log(`floor: rate ${round(rateFloor, 1)} s, chain ${round(chainFloor, 1)} s; wall ${round(wallS, 1)} s`);
    console.log(
      `CPU during the syncs: ${cpuAfter.map((after, i) => `${i < WORKERS ? `worker ${i + 1}` : 'API'} ${round((after - cpuBefore[i]) / 1000, 1)} s`).join(', ')}`,
    );
    console.log(
      `browsing: ${latencies.length} requests by ${BROWSERS} patients (${[...statuses].map(([s, n]) => `${n}× ${s}`).join(', ')}), p50 ${round(percentile(sorted, 50))} ms, p99 ${round(percentile(sorted, 99))} ms`,
    );
    console.log(`load average at start ${loadAtStart.map((l) => l.toFixed(1)).join(' ')}, at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (${os.cpus().length} cores)`);
    console.log(
      `bench:fleet patients=${PATIENTS} portals=${hospitals.length} wall_s=${round(wallS, 1)} floor_s=${round(floorS, 1)} ratio=${round(wallS / floorS, 2)} cpu_ms_per_1k=${round((cpuMsTotal / resources) * 1000)} api_p99_ms=${round(percentile(sorted, 99))}`,
    );
  } finally {
    for (const child of children.reverse()) await stop(child);
    await cleanup();
  }
}

await main();
