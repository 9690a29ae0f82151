// The records-request letter (GET /api/requests/:id/letter.pdf): one or two pages in the patient's
// voice invoking the HIPAA right of access (45 CFR 164.524), made with pdfkit and the DejaVu fonts
// the binder PDF embeds (so accents in names and addresses print). The wording is in letterText
// (pure, unit-tested); renderLetterPdf only lays it out.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import { CATEGORIES } from '../records/categories.js';
import type { GapKind } from '../records/checklist.js';
import { dayOf } from '../records/fhir-read.js';
import type { MedicalRecordNumber, PatientDetailsFields } from './patient-details.js';
import { DUE_DAYS, type RecordsRequest } from './repository.js';

const FONT_DIR = fileURLToPath(new URL('../exports/fonts/', import.meta.url));
let fonts: { body: Buffer; bold: Buffer } | undefined;
function loadFonts(): { body: Buffer; bold: Buffer } {
  fonts ??= { body: readFileSync(`${FONT_DIR}DejaVuSans.ttf`), bold: readFileSync(`${FONT_DIR}DejaVuSans-Bold.ttf`) };
  return fonts;
}

export type LetterPatient = PatientDetailsFields & { recordNumbers: MedicalRecordNumber[] };

const WHAT_IS_MISSING: Record<GapKind, string> = {
  'operation-report': 'Operation report',
  'discharge-summary': 'Discharge summary',
  'pathology-report': 'Pathology report',
  'imaging-report': 'Imaging report',
  'radiation-summary': 'Radiation therapy treatment summary',
};

/** One block of the letter: a paragraph, a heading, or a list of bullet lines. */
export type LetterBlock = { kind: 'heading' | 'paragraph' | 'address' | 'signature'; text: string } | { kind: 'list'; items: string[] };

function days(date: string | null, endDate: string | null): string | null {
  if (!date) return null;
  const start = dayOf(date);
  const end = endDate ? dayOf(endDate) : null;
  return end && end !== start ? `${start} to ${end}` : start;
}

const BLANK = '________________';

/** What a request asks for, as the letter words it: each category in the leaflet's words, then each event with its dates. */
export function askedFor(request: Pick<RecordsRequest, 'categories' | 'gaps'>): { categories: string[]; events: string[] } {
  return {
    categories: request.categories.map((id) => {
      const category = CATEGORIES[id];
      // The leaflet's own words, led by the binder's title where they do not already start with it.
      return category.leafletWording.toLowerCase().startsWith(category.title.toLowerCase()) ? category.leafletWording : `${category.title}: ${category.leafletWording}`;
    }),
    events: request.gaps.map((gap) => {
      const when = days(gap.event.date, gap.event.endDate);
      return `${WHAT_IS_MISSING[gap.kind]}: ${gap.event.title}${when ? `, ${when}` : ''}`;
    }),
  };
}

/** The letter's wording, top to bottom. Pure: the request, the patient's details and the day it is printed. */
export function letterText(request: RecordsRequest, patient: LetterPatient, today: string): LetterBlock[] {
  const name = patient.name ?? BLANK;
  const organization = request.organization;
  const blocks: LetterBlock[] = [];
  blocks.push({ kind: 'address', text: [name, patient.address, patient.phone ? `Phone: ${patient.phone}` : null].filter(Boolean).join('\n') });
  blocks.push({ kind: 'paragraph', text: today });
  blocks.push({
    kind: 'address',
    text: [
      organization.name,
      'Attn: Health Information Management / Medical Records',
      organization.address ?? null,
      organization.fax ? `Fax: ${organization.fax}` : null,
      organization.email ? `Email: ${organization.email}` : null,
    ]
      .filter(Boolean)
      .join('\n'),
  });
  blocks.push({ kind: 'heading', text: 'Re: Request for access to my health records (HIPAA right of access, 45 CFR 164.524)' });
  const numbers = patient.recordNumbers.map((number) => `${number.value} (${number.source})`);
  blocks.push({
    kind: 'list',
    items: [
      `Patient: ${name}`,
      `Date of birth: ${patient.birthDate ?? BLANK}`,
      ...(numbers.length ? [`Medical record number${numbers.length > 1 ? 's' : ''}: ${numbers.join('; ')}`] : []),
    ],
  });
  blocks.push({ kind: 'paragraph', text: 'To whom it may concern:' });
  blocks.push({
    kind: 'paragraph',
    text:
      `I am writing to request copies of my own health records held by ${organization.name}. ` +
      'I am making this request under my right of access to my protected health information under the HIPAA Privacy Rule, 45 CFR 164.524.',
  });
  const asked = askedFor(request);
  if (asked.categories.length) {
    blocks.push({ kind: 'heading', text: 'The records I am asking for' });
    blocks.push({ kind: 'list', items: asked.categories });
  }
  if (asked.events.length) {
    blocks.push({ kind: 'heading', text: asked.categories.length ? 'In particular, the records of these events' : 'The records I am asking for' });
    blocks.push({ kind: 'list', items: asked.events });
  }
  const range =
    request.from && request.to
      ? `from ${request.from} to ${request.to}`
      : request.from
        ? `from ${request.from} to the present`
        : request.to
          ? `up to ${request.to}`
          : null;
  blocks.push({ kind: 'heading', text: 'Dates' });
  blocks.push({ kind: 'paragraph', text: range ? `Please include the records dated ${range}.` : 'Please include the records of every date you hold.' });
  blocks.push({ kind: 'heading', text: 'The form I would like' });
  const electronic =
    'an electronic copy (for example PDF files, or the records in a standard electronic format such as FHIR or C-CDA), sent to me securely or made available through your patient portal';
  const form: Record<typeof request.delivery, string> = {
    electronic: `I would prefer ${electronic}. If you cannot produce an electronic copy, please mail a paper copy to my address above.`,
    paper: `Please mail a paper copy to my address above. Where you keep these records electronically, I would prefer ${electronic}.`,
    pickup: `I will pick up the copy in person; please tell me when it is ready. Where you keep these records electronically, I would prefer ${electronic}.`,
  };
  blocks.push({ kind: 'paragraph', text: form[request.delivery] });
  blocks.push({ kind: 'heading', text: 'What the law asks of you' });
  blocks.push({
    kind: 'list',
    items: [
      `You must act on this request no later than ${DUE_DAYS} days after you receive it (45 CFR 164.524(b)(2)).`,
      'You may charge only a reasonable, cost-based fee for the copy (45 CFR 164.524(c)(4)): the labor of copying, supplies and postage. Please tell me the fee in advance.',
      'If you deny any part of this request, please tell me in writing why, and how I may have the denial reviewed.',
    ],
  });
  blocks.push({
    kind: 'paragraph',
    text: `If you have any questions, please contact me${patient.phone ? ` at ${patient.phone}` : ''}${patient.address ? ' or at my address above' : ''}. Thank you.`,
  });
  blocks.push({ kind: 'signature', text: `Sincerely,\n\nSignature: ______________________________     Date: ______________\n${name}` });
  return blocks;
}

/** The letter as a PDF (US Letter, one-inch margins). */
export async function renderLetterPdf(request: RecordsRequest, patient: LetterPatient, now = new Date()): Promise<Buffer> {
  const { body, bold } = loadFonts();
  const doc = new PDFDocument({
    size: 'LETTER',
    margins: { top: 54, bottom: 54, left: 66, right: 66 },
    info: { Title: `Request for health records: ${request.organization.name}`, Author: patient.name ?? 'carebinder', Creator: 'carebinder' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('Body', body);
  doc.registerFont('Bold', bold);
  const width = doc.page.width - 132;
  for (const block of letterText(request, patient, now.toISOString().slice(0, 10))) {
    switch (block.kind) {
      case 'heading':
        doc.moveDown(0.3).font('Bold').fontSize(10.5).text(block.text, { width });
        doc.moveDown(0.2);
        break;
      case 'address':
        doc.font('Body').fontSize(10).text(block.text, { width, lineGap: 1 });
        doc.moveDown(0.8);
        break;
      case 'paragraph':
        doc.font('Body').fontSize(10).text(block.text, { width, lineGap: 1.5 });
        doc.moveDown(0.6);
        break;
      case 'signature':
        // The signature lines stay together, on the last page.
        doc.font('Body').fontSize(10);
        if (doc.y + doc.heightOfString(block.text, { width, lineGap: 1.5 }) > doc.page.height - doc.page.margins.bottom) doc.addPage();
        doc.text(block.text, { width, lineGap: 1.5 });
        break;
      case 'list':
        for (const item of block.items) doc.font('Body').fontSize(10).text(`•  ${item}`, { width: width - 12, indent: 0, lineGap: 1 });
        doc.moveDown(0.6);
        break;
    }
  }
  doc.end();
  return done;
}
