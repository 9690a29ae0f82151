// Merging an attached PDF's pages into the binder: pdf-lib parses the attachment, and each page is
// copied into the pdfkit document as a Form XObject (its content streams, decoded and joined, and every
// object its resources reach, copied once), which the binder then draws scaled onto a page of its own.
// The binder keeps streaming: nothing of the output is held to merge it.
import { decodePDFRawStream, PDFArray, PDFBool, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNull, PDFNumber, PDFRawStream, PDFRef, PDFStream, PDFString, type PDFObject } from 'pdf-lib';

/** What pdfkit needs of its document to take raw objects. */
export interface RawObjectSink {
  ref(data?: Record<string, unknown>): { end(chunk?: Uint8Array | Buffer): void; toString(): string };
}

export interface ImportedPage {
  /** The Form XObject's reference in the pdfkit document. */
  ref: ReturnType<RawObjectSink['ref']>;
  /** The page's box in its own units: [x0, y0, x1, y1]. */
  box: [number, number, number, number];
}

/** The number of pages of a PDF, or null when pdf-lib cannot read it. */
export async function pdfPageCount(bytes: Uint8Array): Promise<number | null> {
  try {
    const pdf = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false });
    return pdf.getPageCount();
  } catch {
    return null;
  }
}

export async function loadPdf(bytes: Uint8Array): Promise<PDFDocument | null> {
  try {
    return await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false });
  } catch {
    return null;
  }
}

/** Copies one page of `pdf` into `sink` as a Form XObject; the copies of shared objects are reused through `copied`. */
export function importPage(sink: RawObjectSink, pdf: PDFDocument, index: number, copied: Map<string, ReturnType<RawObjectSink['ref']>>): ImportedPage {
  const page = pdf.getPage(index);
  const node = page.node;
  const context = pdf.context;
  const mediaBox = node.MediaBox().asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : Number(context.lookup(n, PDFNumber).asNumber())));
  const box: [number, number, number, number] = [mediaBox[0] ?? 0, mediaBox[1] ?? 0, mediaBox[2] ?? 612, mediaBox[3] ?? 792];

  const convert = (object: PDFObject | undefined): unknown => {
    if (object === undefined || object === PDFNull) return null;
    if (object instanceof PDFRef) {
      const key = object.tag;
      const done = copied.get(key);
      if (done) return done;
      const target = context.lookup(object);
      if (target instanceof PDFRawStream || target instanceof PDFStream) {
        const data = convertDict(target.dict, new Set(['Length']));
        const ref = sink.ref(data);
        copied.set(key, ref);
        ref.end(target instanceof PDFRawStream ? Buffer.from(target.contents) : Buffer.from(target.getContents()));
        return ref;
      }
      // Registered before converting, so a cycle (Parent links) ends at this reference.
      const ref = sink.ref({});
      copied.set(key, ref);
      const value = convert(target);
      const holder = ref as unknown as { data: unknown };
      holder.data = value;
      ref.end();
      return ref;
    }
    if (object instanceof PDFName) return object.toString().slice(1);
    if (object instanceof PDFNumber) return object.asNumber();
    if (object instanceof PDFBool) return object.asBoolean();
    if (object instanceof PDFString || object instanceof PDFHexString) return Buffer.from(object.asBytes());
    if (object instanceof PDFArray) return object.asArray().map((item) => convert(item));
    if (object instanceof PDFDict) return convertDict(object);
    return null;
  };
  const convertDict = (dict: PDFDict, skip = new Set<string>()): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of dict.entries()) {
      const name = key.toString().slice(1);
      // A Parent would pull in the attachment's whole page tree.
      if (skip.has(name) || name === 'Parent') continue;
      out[name] = convert(value);
    }
    return out;
  };

  const contents = node.Contents();
  const streams = contents instanceof PDFArray ? contents.asArray().map((item) => context.lookup(item)) : contents ? [contents] : [];
  const parts: Buffer[] = [];
  for (const stream of streams) {
    if (stream instanceof PDFRawStream) parts.push(Buffer.from(decodePDFRawStream(stream).decode()));
    else if (stream instanceof PDFStream) parts.push(Buffer.from(stream.getContents()));
  }
  const resources = node.Resources();
  const form = sink.ref({
    Type: 'XObject',
    Subtype: 'Form',
    BBox: box,
    Resources: resources ? convertDict(resources) : {},
  });
  form.end(Buffer.concat(parts.flatMap((part) => [part, Buffer.from('\n')])));
  return { ref: form, box };
}
