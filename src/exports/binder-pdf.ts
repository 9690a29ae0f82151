// The printable binder, made in the server with pdfkit: a cover (the patient, the date made, each portal
// with its last sync), contents with page numbers, the treatment summary, then the 11 categories in the
// leaflet's order with every item (title, date, status, value or dose, source portals) and every attached
// document where it belongs: PDF pages merged in (pdf-import.ts), text and HTML as text, images scaled to
// the page. The patient's name and "page x of y" on every page; DejaVu Sans is embedded, so accents, µ
// and ³ print.
//
// Two passes over the same layout code: the first only measures (page numbers for the contents, the
// total for "of y", where each document is printed), the second draws and streams the PDF out, a page at
// a time (pdfkit writes each page when the next begins). Lines are wrapped here, not by pdfkit, so both
// passes break lines and pages identically, and memory stays bounded whatever the size of the binder.
import { readFileSync } from 'node:fs';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import type { PDFDocument as PdfLibDocument } from 'pdf-lib';
import type { Queryable } from '../db/pool.js';
import { binderIndex, matches, type BinderEntry, type EntryFilter } from '../binder/binder-index.js';
import type { AccountSources } from '../binder/sources.js';
import { treatmentSummaryFor } from '../binder/summary.js';
import { BadRequestError } from '../errors.js';
import { CATEGORIES, CATEGORY_IDS, type CategoryId } from '../records/categories.js';
import type { MedicineDose, ResultValue } from '../records/binder-fields.js';
import type { TreatmentSummary } from '../records/treatment-summary.js';
import { doseWords, valueWords } from './display.js';
import { documentContent, placedDocuments, type PlacedDocument } from './documents.js';
import { importPage, loadPdf, pdfPageCount, type RawObjectSink } from './pdf-import.js';
import { mergePatients, patientName, portalPatients } from './patient.js';

export interface BinderPdfOptions {
  /** Only records from this portal id. */
  portal?: string;
  /** Only records dated on or after this day (YYYY-MM-DD). */
  from?: string;
  /** Only records dated on or before this day (YYYY-MM-DD). */
  to?: string;
  /** Only these categories (the treatment summary is printed whenever one of its three is). */
  categories?: readonly CategoryId[];
  now?: Date;
}

const FONT_DIR = fileURLToPath(new URL('./fonts/', import.meta.url));
let fonts: { body: Buffer; bold: Buffer } | undefined;
function loadFonts(): { body: Buffer; bold: Buffer } {
  fonts ??= { body: readFileSync(`${FONT_DIR}DejaVuSans.ttf`), bold: readFileSync(`${FONT_DIR}DejaVuSans-Bold.ttf`) };
  return fonts;
}

// US Letter, in points.
const PAGE_WIDTH = 612;
const PAGE_HEIGHT = 792;
const LEFT = 54;
const RIGHT = PAGE_WIDTH - 54;
const WIDTH = RIGHT - LEFT;
const TOP = 54;
const BOTTOM = PAGE_HEIGHT - 62;
const FOOTER_Y = PAGE_HEIGHT - 44;
const ITEM_BATCH = 500;
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
/** Words whose width (and, drawing, glyphs) each Pen keeps per font; cleared when full. */
const WORD_CACHE_SIZE = 30_000;
const TEXT_TYPES = /^(text\/|application\/(xml|xhtml\+xml|json|fhir\+json|fhir\+xml|rtf))/i;
const TREATMENT_CATEGORIES: readonly CategoryId[] = ['medication-treatment-summary', 'radiation-treatment-summary', 'treatment-side-effects'];

type FontName = 'Body' | 'Bold';
interface Style {
  font: FontName;
  size: number;
  color?: string;
  indent?: number;
  gap?: number;
}
const H1: Style = { font: 'Bold', size: 20, gap: 8 };
const H2: Style = { font: 'Bold', size: 14, gap: 4 };
const TITLE: Style = { font: 'Bold', size: 10 };
const BODY: Style = { font: 'Body', size: 9.5 };
const DETAIL: Style = { font: 'Body', size: 8.5, color: '#444444' };
const DOC_TEXT: Style = { font: 'Body', size: 8.5, indent: 12 };
const NOTE: Style = { font: 'Body', size: 8.5, color: '#444444', indent: 12 };

interface Layout {
  /** Contents: title → first page. */
  sections: Map<string, number>;
  /** Document key → the page it is printed on. */
  documentPages: Map<string, number>;
  totalPages: number;
}

interface Input {
  db: Queryable;
  accountId: string;
  now: Date;
  patientName: string | null;
  birthDate: string | null;
  portals: Array<{ name: string; lastSync: Date | null }>;
  filterWords: string | null;
  summary: TreatmentSummary | null;
  sources: AccountSources;
  categories: Array<{ id: CategoryId; entries: BinderEntry[] }>;
  documentsByRecord: Map<string, PlacedDocument[]>;
  unplacedDocuments: PlacedDocument[];
}

/** What drawLine uses of pdfkit's document beyond its typings (stable in pdfkit 0.x: _font, page.fonts, addContent). */
interface FastText {
  font(name: string): unknown;
  fillColor(color: string): unknown;
  addContent(text: string): unknown;
  page: { fonts: Record<string, unknown> };
  _font: { id: string; ascender: number; ref(): unknown; encode(text: string): [string[], unknown[]] };
}

/** Lays out and (in the drawing pass) writes the binder. */
class Pen {
  page = 0;
  y = BOTTOM;
  /** Font and size → text → width: looked up by the word itself, so a look-up allocates nothing. */
  private readonly widths = new Map<string, Map<string, number>>();
  private widthCount = 0;
  /**
   * Objects already copied from each attached PDF, so its pages share one copy of their fonts and
   * images. Per file: object numbers ("5 0 R") mean something else in every other file.
   */
  private readonly copied = new WeakMap<PdfLibDocument, Map<string, ReturnType<RawObjectSink['ref']>>>();
  /** Font id → word → its glyphs (hex). */
  private readonly encoded = new Map<string, Map<string, string>>();
  private encodedCount = 0;
  private readonly spaces = new Map<string, string>();
  private fontKey: string | null = null;
  private color: string | null = null;

  constructor(
    readonly doc: PDFKit.PDFDocument,
    readonly draw: boolean,
    readonly layout: Layout,
    private readonly footerName: string,
  ) {}

  newPage(): void {
    this.page++;
    this.y = TOP;
    if (!this.draw) return;
    this.doc.addPage({ size: [PAGE_WIDTH, PAGE_HEIGHT], margin: 0 });
    const footer = `${this.footerName} · page ${this.page} of ${this.layout.totalPages}`;
    this.doc.font('Body').fontSize(8).fillColor('#555555');
    this.doc.text(footer, LEFT + (WIDTH - this.doc.widthOfString(footer)) / 2, FOOTER_Y, { lineBreak: false });
    this.forgetState();
  }

  /** Drawing through pdfkit's own calls changes its current font and colour. */
  forgetState(): void {
    this.fontKey = null;
    this.color = null;
  }

  /** Starts a new page unless `height` more points fit on this one. */
  ensure(height: number): void {
    if (this.page === 0 || this.y + height > BOTTOM) this.newPage();
  }

  lineHeight(style: Style): number {
    return style.size * 1.3;
  }

  width(text: string, style: Style): number {
    return this.widthIn(this.widthsOf(style), text, style);
  }

  private widthsOf(style: Style): Map<string, number> {
    const key = `${style.font}${style.size}`;
    let widths = this.widths.get(key);
    if (!widths) this.widths.set(key, (widths = new Map<string, number>()));
    return widths;
  }

  private widthIn(widths: Map<string, number>, text: string, style: Style): number {
    let width = widths.get(text);
    if (width === undefined) {
      width = this.doc.font(style.font).fontSize(style.size).widthOfString(text);
      this.fontKey = style.font;
      if (++this.widthCount > WORD_CACHE_SIZE) {
        for (const map of this.widths.values()) map.clear();
        this.widthCount = 1;
      }
      widths.set(text, width);
    }
    return width;
  }

  /**
   * Greedy word wrap to the width left after the indent; a word longer than a line is cut. Each line
   * is a slice of the paragraph (its words are contiguous there), not a string built word by word:
   * a binder wraps hundreds of thousands of texts, twice.
   */
  wrap(text: string, style: Style): string[] {
    const max = WIDTH - (style.indent ?? 0);
    const widths = this.widthsOf(style);
    const out: string[] = [];
    const space = this.widthIn(widths, ' ', style);
    for (const paragraph of text.includes('\n') ? text.split('\n') : [text]) {
      const normal = paragraph.replace(/\s+/g, ' ').trim();
      // The line so far is normal.slice(start, end); start is -1 while it is empty.
      let start = -1;
      let end = 0;
      let lineWidth = 0;
      let at = 0;
      while (at < normal.length) {
        let next = normal.indexOf(' ', at);
        if (next === -1) next = normal.length;
        let word = normal.slice(at, next);
        let from = at;
        at = next + 1;
        let w = this.widthIn(widths, word, style);
        while (w > max) {
          if (start !== -1) {
            out.push(normal.slice(start, end));
            start = -1;
            lineWidth = 0;
          }
          let cut = Math.max(1, Math.floor((word.length * max) / w));
          while (cut > 1 && this.widthIn(widths, word.slice(0, cut), style) > max) cut--;
          out.push(word.slice(0, cut));
          word = word.slice(cut);
          from += cut;
          w = this.widthIn(widths, word, style);
        }
        if (!word) continue;
        if (start !== -1 && lineWidth + space + w > max) {
          out.push(normal.slice(start, end));
          start = from;
          lineWidth = w;
        } else if (start === -1) {
          start = from;
          lineWidth = w;
        } else {
          lineWidth = lineWidth + space + w;
        }
        end = from + word.length;
      }
      out.push(start === -1 ? '' : normal.slice(start, end));
    }
    return out;
  }

  text(text: string, style: Style): void {
    this.lines(this.wrap(text, style), style);
  }

  /** Lines already wrapped for `style`. */
  private lines(lines: readonly string[], style: Style): void {
    const height = this.lineHeight(style);
    if (style.gap) this.y += style.gap;
    for (const line of lines) {
      this.ensure(height);
      if (this.draw && line) this.drawLine(line, LEFT + (style.indent ?? 0), this.y, style);
      this.y += height;
    }
  }

  /**
   * One line of text at (x, y), top-left. pdfkit's text() lays out every call anew (a third of a
   * millisecond a line); a binder has hundreds of thousands of lines, mostly of the same words. So each
   * word is encoded once per font (pdfkit's font.encode: glyph ids for the embedded subset, which also
   * records them for the subset and its ToUnicode map) and a line is its words joined by the space glyph,
   * written as one Tj. Kerning inside a word is dropped, which DejaVu barely uses.
   */
  private drawLine(line: string, x: number, y: number, style: Style): void {
    const doc = this.doc as unknown as FastText;
    if (this.fontKey !== style.font) {
      doc.font(style.font);
      this.fontKey = style.font;
    }
    const color = style.color ?? '#000000';
    if (this.color !== color) {
      doc.fillColor(color);
      this.color = color;
    }
    const font = doc._font;
    if (doc.page.fonts[font.id] == null) doc.page.fonts[font.id] = font.ref();
    let words = this.encoded.get(font.id);
    if (!words) this.encoded.set(font.id, (words = new Map<string, string>()));
    let hex = '';
    for (const word of line.split(' ')) {
      let encoded = words.get(word);
      if (encoded === undefined) {
        encoded = word ? font.encode(word)[0].join('') : '';
        if (++this.encodedCount > WORD_CACHE_SIZE) {
          for (const map of this.encoded.values()) map.clear();
          this.encodedCount = 1;
        }
        words.set(word, encoded);
      }
      if (hex) hex += this.spaceGlyph(font);
      hex += encoded;
    }
    const baseline = PAGE_HEIGHT - y - (font.ascender / 1000) * style.size;
    doc.addContent(`q 1 0 0 -1 0 ${PAGE_HEIGHT} cm BT 1 0 0 1 ${x.toFixed(2)} ${baseline.toFixed(2)} Tm /${font.id} ${style.size} Tf <${hex}> Tj ET Q`);
  }

  private spaceGlyph(font: FastText['_font']): string {
    let space = this.spaces.get(font.id);
    if (space === undefined) {
      space = font.encode(' ')[0].join('');
      this.spaces.set(font.id, space);
    }
    return space;
  }

  /** The lines of `text`, kept together on one page when they fit on one. */
  block(parts: Array<{ text: string; style: Style }>): void {
    const wrapped = parts.map((part) => this.wrap(part.text, part.style));
    const height = parts.reduce((sum, part, i) => sum + wrapped[i].length * this.lineHeight(part.style) + (part.style.gap ?? 0), 0);
    if (height <= BOTTOM - TOP) this.ensure(height);
    parts.forEach((part, i) => this.lines(wrapped[i], part.style));
  }

  space(points: number): void {
    this.y += points;
  }

  /** Draws one page of a PDF attachment on a page of its own, under a caption. */
  pdfPage(pdf: PdfLibDocument | null, index: number, caption: string): void {
    this.newPage();
    this.text(caption, NOTE);
    if (!this.draw || !pdf) {
      this.y = BOTTOM;
      return;
    }
    try {
      let copied = this.copied.get(pdf);
      if (!copied) this.copied.set(pdf, (copied = new Map<string, ReturnType<RawObjectSink['ref']>>()));
      const { ref, box } = importPage(this.doc, pdf, index, copied);
      const [x0, y0, x1, y1] = box;
      const top = this.y + 4;
      const scale = Math.min(WIDTH / Math.max(1, x1 - x0), (BOTTOM - top) / Math.max(1, y1 - y0), 1.5);
      const name = `CbPdf${this.page}`;
      (this.doc.page as unknown as { xobjects: Record<string, unknown> }).xobjects[name] = ref;
      this.doc.save();
      this.doc.rect(LEFT, top, (x1 - x0) * scale, (y1 - y0) * scale).lineWidth(0.5).stroke('#bbbbbb');
      this.doc.transform(scale, 0, 0, -scale, LEFT - x0 * scale, top + y1 * scale);
      (this.doc as unknown as { addContent(text: string): void }).addContent(`/${name} Do`);
      this.doc.restore();
    } catch {
      this.text('(this page could not be copied; the file is in the zip copy)', NOTE);
    }
    this.y = BOTTOM;
  }

  /** An image on a page of its own, scaled to fit. */
  image(content: Buffer, caption: string): void {
    this.newPage();
    this.text(caption, NOTE);
    if (this.draw) {
      try {
        this.doc.image(content, LEFT, this.y + 4, { fit: [WIDTH, BOTTOM - this.y - 4], align: 'center' });
      } catch {
        this.text('(this image could not be read; the file is in the zip copy)', NOTE);
      }
    }
    this.y = BOTTOM;
  }
}

/** The binder PDF as a stream. */
export function binderPdfStream(db: Queryable, accountId: string, options: BinderPdfOptions = {}): Readable {
  const out = new PassThrough();
  renderBinderPdf(db, accountId, out, options).catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}

/** The binder PDF in memory (for small binders and tests; prefer the stream). */
export async function binderPdfBuffer(db: Queryable, accountId: string, options: BinderPdfOptions = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  await renderBinderPdf(db, accountId, sink, options);
  return Buffer.concat(chunks);
}

/** Writes the binder PDF to `out` and ends it. A bad filter throws BadRequestError before anything is written. */
export async function renderBinderPdf(db: Queryable, accountId: string, out: Writable, options: BinderPdfOptions = {}): Promise<void> {
  const input = await loadInput(db, accountId, options);
  const footerName = `${input.patientName ?? 'Medical records'}${input.birthDate ? ` (born ${input.birthDate})` : ''}`;
  const { body, bold } = loadFonts();

  // Pass 1: measure.
  const measuring = newDocument(body, bold, input.now);
  const layout: Layout = { sections: new Map(), documentPages: new Map(), totalPages: 0 };
  const measure = new Pen(measuring, false, layout, footerName);
  await writeBinder(measure, input, async () => {
    if (out.destroyed) throw new Error('binder PDF: the reader went away');
  });
  layout.totalPages = measure.page;
  measuring.end();

  // Pass 2: draw, streaming out.
  const doc = newDocument(body, bold, input.now);
  const written = pipeline(doc, out);
  // Handled now, awaited below: a reader that goes away early must not make this an unhandled rejection.
  written.catch(() => {});
  const pen = new Pen(doc, true, layout, footerName);
  const drawn = writeBinder(pen, input, async () => {
    // Stop drawing for a reader that went away; wait while the reader is behind.
    const gone = () => out.destroyed || doc.destroyed;
    while (!gone() && doc.readableLength > HIGH_WATER_BYTES) await new Promise((resolve) => setTimeout(resolve, 5));
    if (gone()) throw new Error('binder PDF: the reader went away');
  });
  try {
    await drawn;
  } catch (error) {
    doc.destroy(error as Error);
    throw error;
  }
  if (pen.page !== layout.totalPages) throw new Error(`binder PDF: laid out ${layout.totalPages} pages, drew ${pen.page}`);
  doc.end();
  await written;
}

function newDocument(body: Buffer, bold: Buffer, now: Date): PDFKit.PDFDocument {
  // No font layout cache: pdfkit's keeps every distinct word's glyph run for the document's life (tens of
  // MB in a big binder); the Pen keeps its own bounded caches of widths and glyphs per word.
  const doc = new PDFDocument({
    autoFirstPage: false,
    bufferPages: false,
    compress: true,
    fontLayoutCache: false,
    info: { Title: 'Medical records binder', Producer: 'carebinder', Creator: 'carebinder', CreationDate: now },
  });
  doc.registerFont('Body', body);
  doc.registerFont('Bold', bold);
  return doc;
}

async function loadInput(db: Queryable, accountId: string, options: BinderPdfOptions): Promise<Input> {
  const { rows: account } = await db.query<{ binder_version: string }>('SELECT binder_version::text FROM accounts WHERE id = $1', [accountId]);
  const index = await binderIndex(db, accountId, account[0]?.binder_version ?? '0');
  const sources = index.sources;
  const filter: EntryFilter = {};
  if (options.portal) filter.linkIds = new Set([...sources.byLink.values()].filter((s) => s.portalId === options.portal).map((s) => s.linkId));
  if (options.from) filter.fromMs = Date.parse(`${options.from}T00:00:00Z`);
  if (options.to) filter.toMs = Date.parse(`${options.to}T23:59:59.999Z`);
  if (filter.fromMs !== undefined && filter.toMs !== undefined && filter.fromMs > filter.toMs) throw new BadRequestError('"from" is after "to".');
  const filtered = filter.linkIds !== undefined || filter.fromMs !== undefined || filter.toMs !== undefined;
  const wanted = options.categories?.length ? CATEGORY_IDS.filter((id) => options.categories!.includes(id)) : [...CATEGORY_IDS];
  const categories = wanted.map((id) => ({ id, entries: (index.byCategory.get(id) ?? []).filter((entry) => !filtered || matches(entry, filter)) }));

  const [patients, links, placed, summary] = await Promise.all([
    portalPatients(db, accountId, sources),
    db.query<{ name: string; last_sync: Date | null; portal_id: string }>(
      `SELECT p.name, p.id AS portal_id, l.last_sync_finished_at AS last_sync FROM links l JOIN portals p ON p.id = l.portal_id
        WHERE l.account_id = $1 ORDER BY p.name`,
      [accountId],
    ),
    placedDocuments(db, accountId),
    wanted.some((id) => TREATMENT_CATEGORIES.includes(id)) ? treatmentSummaryFor(db, accountId, index.stamp, sources, filter.linkIds) : Promise.resolve(null),
  ]);
  const merged = mergePatients(patients);
  const documentsByRecord = new Map<string, PlacedDocument[]>();
  const unplacedDocuments: PlacedDocument[] = [];
  // Records in no category (a progress note the leaflet has no place for) are not printed as items.
  const filed = (recordId: string) => (index.byMember.get(recordId)?.categories.length ?? 0) > 0;
  for (const document of placed) {
    if (document.recordId === null || !filed(document.recordId)) {
      unplacedDocuments.push(document);
      continue;
    }
    const list = documentsByRecord.get(document.recordId);
    if (list) list.push(document);
    else documentsByRecord.set(document.recordId, [document]);
  }
  const filterWords = [
    options.portal ? `portal ${[...sources.byLink.values()].find((s) => s.portalId === options.portal)?.portalName ?? options.portal}` : null,
    options.from ? `from ${options.from}` : null,
    options.to ? `to ${options.to}` : null,
    options.categories?.length ? `categories: ${wanted.map((id) => CATEGORIES[id].title).join(', ')}` : null,
  ].filter(Boolean);
  return {
    db,
    accountId,
    now: options.now ?? new Date(),
    patientName: patientName(merged),
    birthDate: merged.birthDate ?? null,
    portals: links.rows.filter((l) => !options.portal || l.portal_id === options.portal).map((l) => ({ name: l.name, lastSync: l.last_sync })),
    filterWords: filterWords.length ? `Only part of the binder: ${filterWords.join('; ')}.` : null,
    summary,
    sources,
    categories,
    documentsByRecord,
    // Documents no record names belong to the whole binder, not to a filtered part of it.
    unplacedDocuments: filtered || options.categories?.length ? [] : unplacedDocuments,
  };
}

/** A FHIR date as written, a dateTime as its day. */
function dayOf(date: string): string {
  return /^\d{4}-\d{2}-\d{2}T/.test(date) ? date.slice(0, 10) : date;
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function section(pen: Pen, title: string): void {
  pen.newPage();
  pen.layout.sections.set(title, pen.page);
  pen.text(title, H1);
  pen.space(4);
}

async function writeBinder(pen: Pen, input: Input, breathe: () => Promise<void> = async () => {}): Promise<void> {
  // Cover.
  pen.newPage();
  pen.space(120);
  pen.text('Medical records binder', { font: 'Bold', size: 26 });
  pen.space(12);
  pen.text(input.patientName ?? 'Patient name not given by the portals', { font: 'Bold', size: 16 });
  if (input.birthDate) pen.text(`Born ${input.birthDate}`, { font: 'Body', size: 12 });
  pen.space(16);
  pen.text(`Made on ${day(input.now)} by carebinder from the records of the patient's portals:`, BODY);
  for (const portal of input.portals) pen.text(`${portal.name}: ${portal.lastSync ? `last synced ${portal.lastSync.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'not synced yet'}`, { ...BODY, indent: 12 });
  if (input.filterWords) {
    pen.space(8);
    pen.text(input.filterWords, BODY);
  }
  pen.space(16);
  pen.text(
    'Keep this binder and give a copy to every new care team. Each record names the portals it came from; documents attached to a record follow it.',
    DETAIL,
  );

  // Contents.
  const titles = [
    ...(input.summary ? ['Treatment summary'] : []),
    ...input.categories.map((c) => CATEGORIES[c.id].title),
    ...(input.unplacedDocuments.length ? ['Other documents'] : []),
  ];
  section(pen, 'Contents');
  for (const title of titles) {
    const page = String(pen.layout.sections.get(title) ?? '');
    const count = input.categories.find((c) => CATEGORIES[c.id].title === title)?.entries.length;
    const label = count === undefined ? title : `${title} (${count})`;
    pen.ensure(pen.lineHeight(BODY) + 2);
    if (pen.draw) {
      pen.doc.font('Body').fontSize(11).fillColor('#000000').text(label, LEFT, pen.y, { lineBreak: false });
      pen.doc.text(page, RIGHT - pen.width(page, { font: 'Body', size: 11 }), pen.y, { lineBreak: false });
      pen.forgetState();
    }
    pen.y += 18;
  }

  if (input.summary) writeTreatmentSummary(pen, input.summary);

  for (const category of input.categories) {
    const definition = CATEGORIES[category.id];
    section(pen, definition.title);
    if (definition.leafletWording !== definition.title) pen.text(definition.leafletWording, DETAIL);
    pen.text(`${category.entries.length} ${category.entries.length === 1 ? 'record' : 'records'}, newest first.`, DETAIL);
    pen.space(6);
    for (let start = 0; start < category.entries.length; start += ITEM_BATCH) {
      await writeItems(pen, input, category.entries.slice(start, start + ITEM_BATCH));
      await breathe();
    }
  }

  if (input.unplacedDocuments.length) {
    section(pen, 'Other documents');
    pen.text('Documents of records the leaflet has no category for (such as progress notes), and documents no record names.', DETAIL);
    for (const document of input.unplacedDocuments) {
      await writeDocument(pen, input, document);
      await breathe();
    }
  }
}

function writeTreatmentSummary(pen: Pen, summary: TreatmentSummary): void {
  section(pen, 'Treatment summary');
  const from = (sources: ReadonlyArray<{ portalName: string }>) => (sources.length ? `from ${[...new Set(sources.map((s) => s.portalName))].join(', ')}` : '');
  const join = (...parts: Array<string | null | undefined | false>) => parts.filter(Boolean).join(' · ');
  const dates = (first: string | null, last: string | null) => (first || last ? `${first ?? '?'} – ${last ?? '?'}` : null);

  pen.text('Chemotherapy and other cancer medicines', H2);
  if (summary.medicines.length === 0) pen.text('None in the records.', DETAIL);
  for (const medicine of summary.medicines) {
    const doses = medicine.doses.map((d) => `${d.amount}${d.unit ? ` ${d.unit}` : ''}${d.count > 1 ? ` ×${d.count}` : ''}`).join(', ');
    pen.block([
      { text: `${medicine.ingredient} (${medicine.status})`, style: { ...TITLE, gap: 4 } },
      {
        text: join(
          doses && `doses ${doses}`,
          medicine.route,
          medicine.frequency,
          dates(medicine.firstDate, medicine.lastDate),
          medicine.administrations ? `${medicine.administrations} administrations` : null,
          medicine.cycles ? `${medicine.cycles} ${medicine.cycles === 1 ? 'day' : 'days'} given` : null,
          from(medicine.sources),
        ),
        style: DETAIL,
      },
    ]);
  }
  pen.space(6);
  pen.text('Radiation therapy', H2);
  if (summary.radiation.length === 0) pen.text('None in the records.', DETAIL);
  for (const course of summary.radiation) {
    pen.block([
      { text: `${course.modality ?? 'Radiation'}${course.site ? ` to ${course.site}` : ''}`, style: { ...TITLE, gap: 4 } },
      {
        text: join(
          course.totalDoseGy !== null ? `${course.totalDoseGy} Gy` : null,
          course.fractions !== null ? `${course.fractions} fractions` : null,
          dates(course.startDate, course.endDate),
          from(course.sources),
        ),
        style: DETAIL,
      },
    ]);
  }
  pen.space(6);
  pen.text('Treatment side effects', H2);
  if (summary.sideEffects.length === 0) pen.text('None in the records.', DETAIL);
  for (const effect of summary.sideEffects) {
    pen.block([
      { text: `${effect.what}${effect.grade ? ` (grade ${effect.grade})` : ''}`, style: { ...TITLE, gap: 4 } },
      {
        text: join(
          effect.firstNoted && `first noted ${effect.firstNoted}`,
          effect.linkedTreatments.length ? `after ${effect.linkedTreatments.map((t) => t.name).join(', ')}` : null,
          `continued after treatment? ${effect.continuedAfterTreatment}`,
          effect.abatement && `ended ${effect.abatement}`,
          effect.clinicalStatus,
          from(effect.sources),
        ),
        style: DETAIL,
      },
    ]);
  }
}

interface ItemRow {
  id: string;
  title: string;
  date_text: string | null;
  end_date_text: string | null;
  status: string | null;
  value: ResultValue | null;
  dose: MedicineDose | null;
  removed: boolean;
}

async function writeItems(pen: Pen, input: Input, entries: readonly BinderEntry[]): Promise<void> {
  const { rows } = await input.db.query<ItemRow>(
    `SELECT id::text, title, date_text, end_date_text, status, binder->'value' AS value, binder->'dose' AS dose, removed_at_source IS NOT NULL AS removed
       FROM records WHERE account_id = $1 AND id = ANY($2::bigint[])`,
    [input.accountId, entries.map((e) => e.id)],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const entry of entries) {
    const row = byId.get(entry.id);
    if (!row) continue;
    const portals = portalNames(input, entry.linkIds);
    const details = [
      row.date_text ? (row.end_date_text ? `${dayOf(row.date_text)} – ${dayOf(row.end_date_text)}` : dayOf(row.date_text)) : 'no date',
      row.status,
      valueWords(row.value) ?? doseWords(row.dose),
      portals ? `from ${portals}` : null,
      row.removed ? 'removed at the portal' : null,
    ].filter(Boolean);
    pen.block([
      { text: row.title, style: ITEM_TITLE },
      { text: details.join(' · '), style: DETAIL },
    ]);
    let seen: Set<string> | undefined;
    for (const memberId of entry.memberIds) {
      for (const document of input.documentsByRecord.get(memberId) ?? []) {
        const same = document.sha256 ?? document.key;
        seen ??= new Set();
        if (seen.has(same)) continue;
        seen.add(same);
        await writeDocument(pen, input, document);
      }
    }
  }
}

const ITEM_TITLE: Style = { ...TITLE, gap: 5 };
/** The portal names of a list of links, joined; entries share their link lists, so most look-ups hit. */
const portalNamesCache = new WeakMap<Input, Map<readonly string[], string>>();
function portalNames(input: Input, linkIds: readonly string[]): string {
  let cache = portalNamesCache.get(input);
  if (!cache) portalNamesCache.set(input, (cache = new Map<readonly string[], string>()));
  let names = cache.get(linkIds);
  if (names === undefined) {
    names = [...new Set(linkIds.map((id) => input.sources.byLink.get(id)?.portalName).filter(Boolean))].join(', ');
    if (cache.size > 10_000) cache.clear();
    cache.set(linkIds, names);
  }
  return names;
}

async function writeDocument(pen: Pen, input: Input, document: PlacedDocument): Promise<void> {
  const caption = `Attached: ${document.title} (${document.contentType}${document.date ? `, ${document.date.slice(0, 10)}` : ''})`;
  if (alreadyPrinted(pen, document.key)) {
    // Both passes know the page by now: the measuring pass recorded it when it printed the document.
    pen.text(`${caption}: printed on page ${pen.layout.documentPages.get(document.key) ?? ''}`, NOTE);
    return;
  }
  markPrinted(pen, document.key);
  const content = await documentContent(input.db, input.accountId, document.key);
  const type = document.contentType.split(';')[0].trim().toLowerCase();
  if (!content) {
    recordPage(pen, document.key);
    pen.text(`${caption}: no longer stored`, NOTE);
    return;
  }
  if (type === 'application/pdf') {
    const pages = pen.draw ? null : await pdfPageCount(content);
    const pdf = pen.draw ? await loadPdf(content) : null;
    const count = pen.draw ? (pdf?.getPageCount() ?? 0) : (pages ?? 0);
    if (count === 0) {
      recordPage(pen, document.key);
      pen.text(`${caption}: this PDF could not be read; the file is in the zip copy`, NOTE);
      return;
    }
    for (let index = 0; index < count; index++) {
      pen.pdfPage(pdf, index, `${caption}, page ${index + 1} of ${count}`);
      if (index === 0) recordPage(pen, document.key);
    }
    return;
  }
  if ((type === 'image/png' && content.subarray(0, 8).equals(PNG_MAGIC)) || (type === 'image/jpeg' && content[0] === 0xff && content[1] === 0xd8)) {
    pen.image(content, caption);
    recordPage(pen, document.key);
    return;
  }
  if (TEXT_TYPES.test(type)) {
    const text = content.toString('utf8');
    pen.block([{ text: caption, style: { ...NOTE, font: 'Bold', gap: 3 } }]);
    recordPage(pen, document.key);
    pen.text(/html|xml/.test(type) ? htmlToText(text) : text, DOC_TEXT);
    pen.space(4);
    return;
  }
  recordPage(pen, document.key);
  pen.text(`${caption}: not printable here; the file is in the zip copy`, NOTE);
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

// Which documents this pass has printed so far (a document named by two records prints once).
const printed = new WeakMap<Pen, Set<string>>();
function alreadyPrinted(pen: Pen, key: string): boolean {
  return printed.get(pen)?.has(key) ?? false;
}
function markPrinted(pen: Pen, key: string): void {
  let set = printed.get(pen);
  if (!set) printed.set(pen, (set = new Set()));
  set.add(key);
}
function recordPage(pen: Pen, key: string): void {
  if (!pen.draw) pen.layout.documentPages.set(key, pen.page);
}

/** Readable text from HTML or XML: no markup, scripts or styles; block ends become line breaks. Pure. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(br|\/p|\/div|\/tr|\/li|\/h[1-6]|\/table|\/title|\/section|\/paragraph)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi, (_, entity: string) => {
      const lower = entity.toLowerCase();
      if (lower.startsWith('#x')) return safeChar(parseInt(lower.slice(2), 16));
      if (lower.startsWith('#')) return safeChar(parseInt(lower.slice(1), 10));
      return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' } as Record<string, string>)[lower] ?? ' ';
    })
    .replace(/[ \t\r\f\v]+/g, ' ')
    .replace(/ *\n[\s]*/g, '\n')
    .trim();
}

function safeChar(code: number): string {
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
}
