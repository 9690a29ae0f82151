// A minimal, valid, text-only PDF 1.4 writer (standard Helvetica, one object per page and
// content stream, exact xref offsets), so sandbox documents open in any viewer.

const PAGE_WIDTH = 612;
const PAGE_HEIGHT = 792;
const MARGIN = 72;
const LINE_HEIGHT = 13;
const WRAP_AT = 92;
const LINES_PER_PAGE = Math.floor((PAGE_HEIGHT - 2 * MARGIN - 30) / LINE_HEIGHT);

/** Renders a title and paragraphs of plain text; non-ASCII characters become "?". */
export function textPdf(title: string, text: string): Buffer {
  const lines = text.split('\n').flatMap((line) => wrap(line, WRAP_AT));
  const pages = chunk(lines, LINES_PER_PAGE);
  const objects: string[] = [];
  const catalogId = 1;
  const pagesId = 2;
  const fontId = 3;
  const boldFontId = 4;
  const infoId = 5;
  const firstPageId = 6;
  const pageIds = pages.map((_, index) => firstPageId + index * 2);

  objects[catalogId] = `<< /Type /Catalog /Pages ${pagesId} 0 R >>`;
  objects[pagesId] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`;
  objects[fontId] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
  objects[boldFontId] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>';
  objects[infoId] = `<< /Title (${pdfString(title)}) /Producer (carebinder sandbox) >>`;
  pages.forEach((pageLines, index) => {
    const pageId = pageIds[index];
    const contentId = pageId + 1;
    const content = pageContent(index === 0 ? title : `${title} (continued)`, pageLines, index + 1, pages.length);
    objects[pageId] =
      `<< /Type /Page /Parent ${pagesId} 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] ` +
      `/Resources << /Font << /F1 ${fontId} 0 R /F2 ${boldFontId} 0 R >> >> /Contents ${contentId} 0 R >>`;
    objects[contentId] = `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
  });
  return Buffer.from(assemble(objects, catalogId, infoId), 'latin1');
}

function pageContent(heading: string, lines: readonly string[], pageNumber: number, pageCount: number): string {
  const body = lines.map((line) => `(${pdfString(line)}) Tj T*`).join('\n');
  return [
    'BT',
    `/F2 13 Tf ${MARGIN} ${PAGE_HEIGHT - MARGIN} Td (${pdfString(heading)}) Tj`,
    `/F1 10 Tf ${LINE_HEIGHT} TL 0 -${LINE_HEIGHT * 2} Td`,
    body,
    'ET',
    'BT',
    `/F1 8 Tf ${MARGIN} ${MARGIN / 2} Td (Page ${pageNumber} of ${pageCount}) Tj`,
    'ET',
  ].join('\n');
}

/** Writes the objects with a cross-reference table whose offsets are exact byte positions. */
function assemble(objects: readonly string[], catalogId: number, infoId: number): string {
  let output = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id += 1) {
    offsets[id] = output.length;
    output += `${id} 0 obj\n${objects[id] ?? 'null'}\nendobj\n`;
  }
  const xrefOffset = output.length;
  output += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id += 1) {
    output += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  }
  output += `trailer\n<< /Size ${objects.length} /Root ${catalogId} 0 R /Info ${infoId} 0 R >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return output;
}

function pdfString(text: string): string {
  return text
    .replace(/[^\x20-\x7e]/g, '?')
    .replaceAll('\\', '\\\\')
    .replaceAll('(', '\\(')
    .replaceAll(')', '\\)');
}

function wrap(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const words = line.split(' ');
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    if (current !== '' && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else {
      current = current === '' ? word : `${current} ${word}`;
    }
  }
  lines.push(current);
  return lines;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks.length > 0 ? chunks : [[]];
}
