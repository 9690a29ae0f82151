// The copy to keep: a streamed zip holding carebinder.json (the complete Bundle), binder.pdf (the
// printable binder), every document as its original file under documents/<category>/ and an
// index.html that opens offline (no scripts, no outside resources) and links all of it.
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import escapeHtml from 'escape-html';
import { ZipFile } from 'yazl';
import type { Queryable } from '../db/pool.js';
import { accountSources } from '../binder/sources.js';
import { CATEGORIES, type CategoryId } from '../records/categories.js';
import { binderPdfStream } from './binder-pdf.js';
import { completeBundleStream } from './bundle.js';
import { documentContent, placedDocuments, type PlacedDocument } from './documents.js';
import { datePart, extensionFor, NameBook } from './names.js';
import { mergePatients, patientName, portalPatients } from './patient.js';

export interface ZipOptions {
  now?: Date;
  /** Put binder.pdf (the whole binder) in the zip; true unless set to false. */
  includePdf?: boolean;
}

interface ZipDocument {
  document: PlacedDocument;
  name: string;
}

const STORED_TYPES = /^(application\/pdf|image\/(jpeg|png|gif|webp)|application\/zip)/i;

/** The zip as a stream; entries are read from the database only when the zip reaches them. */
export function exportZipStream(db: Queryable, accountId: string, options: ZipOptions = {}): Readable {
  const zip = new ZipFile();
  // yazl's output is a PassThrough (its typings say only NodeJS.ReadableStream).
  const output = zip.outputStream as Readable;
  const fail = (error: unknown) => output.destroy(error instanceof Error ? error : new Error(String(error)));
  zip.on('error', fail);
  // The entries' own streams (the Bundle, the PDF) stop when the zip's reader goes away.
  const inputs = new Set<Readable>();
  output.once('close', () => {
    for (const input of inputs) input.destroy();
  });
  fillZip(zip, db, accountId, options, (stream) => {
    inputs.add(stream);
    stream.once('close', () => inputs.delete(stream));
    if (output.destroyed) stream.destroy();
    return stream;
  }).catch(fail);
  return output;
}

export async function writeExportZip(db: Queryable, accountId: string, out: Writable, options: ZipOptions = {}): Promise<void> {
  await pipeline(exportZipStream(db, accountId, options), out);
}

async function fillZip(zip: ZipFile, db: Queryable, accountId: string, options: ZipOptions, track: (stream: Readable) => Readable): Promise<void> {
  const now = options.now ?? new Date();
  const sources = await accountSources(db, accountId);
  const [placed, patients] = await Promise.all([placedDocuments(db, accountId), portalPatients(db, accountId, sources)]);
  const documents = zipDocuments(placed);
  const mtime = now;
  const name = patientName(mergePatients(patients));
  const includePdf = options.includePdf !== false;
  zip.addBuffer(Buffer.from(indexHtml(name, now, documents, includePdf)), 'index.html', { mtime });
  zip.addReadStreamLazy('carebinder.json', { mtime }, (callback) => callback(null, track(completeBundleStream(db, accountId, { now }))));
  if (includePdf) zip.addReadStreamLazy('binder.pdf', { mtime, compress: false }, (callback) => callback(null, track(binderPdfStream(db, accountId, { now }))));
  for (const { document, name: path } of documents) {
    zip.addReadStreamLazy(path, { mtime, compress: !STORED_TYPES.test(document.contentType) }, (callback) =>
      callback(
        null,
        Readable.from(
          (async function* () {
            const content = await documentContent(db, accountId, document.key);
            if (content) yield content;
          })(),
        ),
      ),
    );
  }
  zip.end();
}

/** Pure: each document's path, files with the same bytes once. */
export function zipDocuments(placed: readonly PlacedDocument[]): ZipDocument[] {
  const book = new NameBook();
  const seen = new Set<string>();
  const out: ZipDocument[] = [];
  for (const document of placed) {
    if (document.sha256) {
      if (seen.has(document.sha256)) continue;
      seen.add(document.sha256);
    }
    const folder = `documents/${document.category ?? 'other'}`;
    out.push({ document, name: book.claim(folder, `${datePart(document.date)} ${document.title}`, extensionFor(document.contentType)) });
  }
  return out;
}

function href(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function indexHtml(name: string | null, now: Date, documents: readonly ZipDocument[], withPdf: boolean): string {
  const byCategory = new Map<string, ZipDocument[]>();
  for (const entry of documents) {
    const key = entry.document.category ?? 'other';
    const list = byCategory.get(key);
    if (list) list.push(entry);
    else byCategory.set(key, [entry]);
  }
  const sections = [...byCategory]
    .map(([category, entries]) => {
      const title = category === 'other' ? 'Other documents' : CATEGORIES[category as CategoryId].title;
      const rows = entries
        .map(({ document, name: path }) => {
          const size = document.sizeBytes === null ? '' : ` · ${Math.max(1, Math.round(document.sizeBytes / 1024))} KB`;
          return `<li><a href="${escapeHtml(href(path))}">${escapeHtml(datePart(document.date))} ${escapeHtml(document.title)}</a> <small>${escapeHtml(document.contentType)}${size}</small></li>`;
        })
        .join('\n');
      return `<h2>${escapeHtml(title)} <small>(${entries.length})</small></h2>\n<ul>\n${rows}\n</ul>`;
    })
    .join('\n');
  const heading = name ? `Medical records of ${escapeHtml(name)}` : 'Medical records';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${heading}</title>
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.45}small{color:#555}li{margin:.2rem 0}</style>
</head>
<body>
<h1>${heading}</h1>
<p>A copy made by carebinder on ${escapeHtml(now.toISOString().slice(0, 10))}. Everything here opens without a network connection.</p>
<ul>
${withPdf ? '<li><a href="binder.pdf">binder.pdf</a>: the printable binder, with the documents in it</li>\n' : ''}<li><a href="carebinder.json">carebinder.json</a>: every record and document as one FHIR R4 Bundle, for a clinic's system</li>
</ul>
${documents.length ? sections : '<p>No documents.</p>'}
</body>
</html>
`;
}
