// What an uploaded file is, judged from its bytes alone (never its name or declared type), and
// whether it is well-formed enough to accept. Pure: the request answers 400/415 from this
// before anything is stored.
import { fileTypeFromBuffer } from 'file-type';
import { CdaRefusedError, parseCda } from '../records/ccda/index.js';

export type UploadKind = 'ccda' | 'fhir-json' | 'fhir-ndjson' | 'pdf' | 'jpeg' | 'png' | 'text';

export const CONTENT_TYPES: Readonly<Record<UploadKind, string>> = {
  ccda: 'application/xml',
  'fhir-json': 'application/fhir+json',
  'fhir-ndjson': 'application/fhir+ndjson',
  pdf: 'application/pdf',
  jpeg: 'image/jpeg',
  png: 'image/png',
  text: 'text/plain',
};

/** A file refused for what it is (415). */
export class UnsupportedFileError extends Error {
  override name = 'UnsupportedFileError';
}

/** A file of an accepted kind that is broken or unsafe (400). */
export class MalformedFileError extends Error {
  override name = 'MalformedFileError';
}

export interface Sniffed {
  kind: UploadKind;
  contentType: string;
}

const BINARY_KINDS: Readonly<Record<string, UploadKind>> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpeg', 'image/png': 'png' };

/** The upload's kind, or a typed error saying why it is refused. */
export async function sniffUpload(bytes: Buffer): Promise<Sniffed> {
  if (bytes.length === 0) throw new MalformedFileError('The file is empty.');
  // file-type reads a truncated container (a cut-off ZIP) to its end and throws: that is "not known".
  const detected = await fileTypeFromBuffer(bytes).catch(() => undefined);
  if (detected) {
    // file-type also recognises XML by its declaration; everything else it knows is binary.
    if (detected.mime !== 'application/xml') {
      const kind = BINARY_KINDS[detected.mime];
      if (!kind) throw new UnsupportedFileError(`A ${detected.ext.toUpperCase()} file (${detected.mime}) is not accepted. Upload C-CDA XML, FHIR JSON or NDJSON, PDF, JPEG, PNG or plain text.`);
      return { kind, contentType: CONTENT_TYPES[kind] };
    }
  }
  const text = decodeText(bytes);
  if (text === null) throw new UnsupportedFileError('The file is neither a document type carebinder accepts nor text. Upload C-CDA XML, FHIR JSON or NDJSON, PDF, JPEG, PNG or plain text.');
  const start = text.trimStart();
  if (start.startsWith('<')) {
    if (/^<!doctype\s+html|^<html[\s>]/i.test(start)) throw new UnsupportedFileError('An HTML page is not accepted. Upload C-CDA XML, FHIR JSON or NDJSON, PDF, JPEG, PNG or plain text.');
    checkXml(text);
    return { kind: 'ccda', contentType: CONTENT_TYPES.ccda };
  }
  // JSON by its first tokens ({" or [{), so a note that happens to start with a bracket stays text.
  if (/^(\{\s*("|\})|\[\s*[{\]])/.test(start)) {
    const kind = checkJson(text);
    return { kind, contentType: CONTENT_TYPES[kind] };
  }
  return { kind: 'text', contentType: CONTENT_TYPES.text };
}

/** UTF-8 text (a BOM allowed) without control characters other than tab, newline, carriage return and form feed. */
export function decodeText(bytes: Buffer): string | null {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000E-\u001F\u007F]/.test(text)) return null;
  return text;
}

/** Refuses XML with a DTD or entity declarations, and XML that is not well-formed; the root must be a CDA ClinicalDocument. */
export function checkXml(text: string): void {
  try {
    parseCda(text);
  } catch (error) {
    if (error instanceof CdaRefusedError) {
      if (error.reason === 'not-cda') throw new UnsupportedFileError(error.message);
      throw new MalformedFileError(error.message);
    }
    throw error;
  }
}

/** One JSON document with a resourceType, or NDJSON: one JSON object per line. */
export function checkJson(text: string): 'fhir-json' | 'fhir-ndjson' {
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch (error) {
    const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
    if (lines.length > 1 && lines[0].trimStart().startsWith('{')) {
      lines.forEach((line, index) => {
        const value = parseLine(line, index);
        if (!hasResourceType(value)) throw new MalformedFileError(`Line ${index + 1} of the NDJSON is not a FHIR resource (no resourceType).`);
      });
      return 'fhir-ndjson';
    }
    throw new MalformedFileError(`The JSON is malformed: ${(error as Error).message.slice(0, 200)}`);
  }
  if (!hasResourceType(whole)) throw new MalformedFileError('The JSON is not a FHIR resource or Bundle (no resourceType).');
  return 'fhir-json';
}

function parseLine(line: string, index: number): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new MalformedFileError(`Line ${index + 1} of the NDJSON is malformed: ${(error as Error).message.slice(0, 200)}`);
  }
}

function hasResourceType(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { resourceType?: unknown }).resourceType === 'string';
}
