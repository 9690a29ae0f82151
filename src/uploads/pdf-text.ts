// A PDF's text layer (unpdf, pdf.js underneath), for the classifier's proposal. A PDF it cannot
// read (a scan, a damaged or encrypted file) has none: the upload is still kept.
import { getDocumentProxy } from 'unpdf';

const MAX_PAGES = 3;

export async function pdfTextLayer(bytes: Buffer): Promise<string | null> {
  try {
    // pdf.js takes ownership of the array it is given: hand it a copy.
    const pdf = await getDocumentProxy(new Uint8Array(bytes));
    try {
      const pages: string[] = [];
      for (let page = 1; page <= Math.min(pdf.numPages, MAX_PAGES); page++) {
        const content = await (await pdf.getPage(page)).getTextContent();
        pages.push(content.items.map((item) => ('str' in item ? `${item.str}${item.hasEOL ? '\n' : ''}` : '')).join(''));
      }
      const text = pages.join('\n').trim();
      return text === '' ? null : text;
    } finally {
      await pdf.destroy();
    }
  } catch {
    return null;
  }
}
