// Builds the web client into web/dist: index.html, app.js, app.css, the SMART Health Links viewer
// (shl.html, shl.js: its own entry, web/src/shl.ts) and the files of web/public.
// `npx tsx web/build.ts` (npm run build:web). Idempotent: unchanged outputs are not rewritten
// (their mtime and ETag stay), stale files are removed, and files are replaced atomically so a
// running server never serves half a file. index.html names its assets with ?v=<content hash>,
// which lets the server cache them for a year.
import { build, type Metafile } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const WEB_DIR = path.dirname(fileURLToPath(import.meta.url));
const SRC_DIR = path.join(WEB_DIR, 'src');
const PUBLIC_DIR = path.join(WEB_DIR, 'public');
/** The browsers the client supports: <dialog>, ES2022, CSS.escape. */
const TARGETS = ['es2022', 'chrome109', 'edge109', 'firefox115', 'safari15.4'];
/**
 * The app's own code, minified, without DOMPurify. 60 KB held the binder, portals, treatment and
 * print pages; the upload and own-entries pages (forms that build FHIR resources) took ~14 KB more;
 * the activity page (the audit trail in words and the e-mail choices) ~4 KB.
 */
export const JS_BUDGET_BYTES = 88 * 1024;

export interface WebBuildOptions {
  /** Where to write (default web/dist). */
  outDir?: string;
  /** Print sizes (default true from the command line). */
  log?: (line: string) => void;
}

export interface WebBuildResult {
  outDir: string;
  files: Array<{ name: string; bytes: number; gzipBytes: number; written: boolean }>;
  /** Bytes of app.js that are the app's own code (DOMPurify excluded). */
  appCodeBytes: number;
  /** The files bundled into app.js (paths as esbuild names them, relative to the working directory). */
  scriptInputs: string[];
}

export async function buildWeb(options: WebBuildOptions = {}): Promise<WebBuildResult> {
  const outDir = path.resolve(options.outDir ?? path.join(WEB_DIR, 'dist'));
  const [js, shl, css, template, shlTemplate, publicFiles] = await Promise.all([
    bundleScript('main.ts', 'app.js'),
    bundleScript('shl.ts', 'shl.js'),
    bundleStyles(),
    readFile(path.join(WEB_DIR, 'index.html'), 'utf8'),
    readFile(path.join(WEB_DIR, 'shl.html'), 'utf8'),
    readPublic(),
  ]);

  const versioned = (page: string, name: string, assets: Array<[string, string]>) =>
    assets.reduce((html, [asset, content]) => {
      const marker = `"${asset}"`;
      if (!html.includes(marker)) throw new Error(`web/${name} must reference ${marker}`);
      return html.replace(marker, `"${asset}?v=${contentHash(content)}"`);
    }, page);
  const html = versioned(template, 'index.html', [
    ['/app.js', js.code],
    ['/app.css', css],
  ]);
  const shlHtml = versioned(shlTemplate, 'shl.html', [
    ['/shl.js', shl.code],
    ['/app.css', css],
  ]);

  const outputs = new Map<string, string | Buffer>([
    ['app.js', js.code],
    ['shl.js', shl.code],
    ['app.css', css],
    ...publicFiles,
    // Last: they name the others, so they must not point at assets not yet written.
    ['index.html', html],
    ['shl.html', shlHtml],
  ]);

  await mkdir(outDir, { recursive: true });
  const files: WebBuildResult['files'] = [];
  for (const [name, content] of outputs) {
    const written = await writeIfChanged(path.join(outDir, name), content);
    const bytes = Buffer.byteLength(content);
    files.push({ name, bytes, gzipBytes: gzipSync(content).length, written });
  }
  for (const entry of await readdir(outDir)) {
    if (!outputs.has(entry)) await rm(path.join(outDir, entry), { recursive: true, force: true });
  }

  const log = options.log;
  if (log) {
    for (const file of files) {
      log(`${file.written ? 'wrote    ' : 'unchanged'} ${path.relative(process.cwd(), path.join(outDir, file.name)).padEnd(26)} ${kb(file.bytes).padStart(9)}  (${kb(file.gzipBytes)} gzip)`);
    }
    log(`app code ${kb(js.appCodeBytes)} of ${kb(Buffer.byteLength(js.code))} minified (the rest is DOMPurify); budget ${kb(JS_BUDGET_BYTES)}`);
  }
  if (js.appCodeBytes > JS_BUDGET_BYTES) {
    throw new Error(`web client is ${kb(js.appCodeBytes)} minified (without DOMPurify), over its ${kb(JS_BUDGET_BYTES)} budget`);
  }
  if (shl.appCodeBytes > JS_BUDGET_BYTES) {
    throw new Error(`the SHL viewer is ${kb(shl.appCodeBytes)} minified (without DOMPurify), over its ${kb(JS_BUDGET_BYTES)} budget`);
  }
  return { outDir, files, appCodeBytes: js.appCodeBytes, scriptInputs: js.inputs };
}

async function bundleScript(entry: string, outfile: string): Promise<{ code: string; appCodeBytes: number; inputs: string[] }> {
  const result = await build({
    entryPoints: [path.join(SRC_DIR, entry)],
    tsconfig: path.join(SRC_DIR, 'tsconfig.json'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: TARGETS,
    minify: true,
    charset: 'utf8',
    legalComments: 'eof',
    metafile: true,
    write: false,
    outfile,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced no script for ${entry}`);
  return { code: output.text, appCodeBytes: ownBytes(result.metafile), inputs: Object.keys(result.metafile.inputs) };
}

/** Bytes in the output that come from the app's sources rather than node_modules/dompurify. */
function ownBytes(metafile: Metafile): number {
  let total = 0;
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (!input.includes('node_modules/dompurify/')) total += bytesInOutput;
    }
  }
  return total;
}

async function bundleStyles(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(SRC_DIR, 'app.css')],
    bundle: true,
    minify: true,
    target: TARGETS.filter((t) => !t.startsWith('es')),
    charset: 'utf8',
    write: false,
    outfile: 'app.css',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no stylesheet');
  return output.text;
}

async function readPublic(): Promise<Array<[string, Buffer]>> {
  const entries = await readdir(PUBLIC_DIR, { withFileTypes: true }).catch(() => []);
  return Promise.all(entries.filter((entry) => entry.isFile()).map(async (entry): Promise<[string, Buffer]> => [entry.name, await readFile(path.join(PUBLIC_DIR, entry.name))]));
}

async function writeIfChanged(file: string, content: string | Buffer): Promise<boolean> {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  const current = await readFile(file).catch(() => null);
  if (current?.equals(bytes)) return false;
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, bytes);
  await rename(temporary, file);
  return true;
}

function contentHash(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 12);
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const started = performance.now();
  try {
    const result = await buildWeb({ log: (line) => console.log(line) });
    console.log(`built ${path.relative(process.cwd(), result.outDir) || '.'} in ${Math.round(performance.now() - started)} ms`);
  } catch (error) {
    console.error(`web build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
