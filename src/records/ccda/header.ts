// What the CDA header and body say about the document itself: its kind (LOINC document code),
// title, date, patient, author, custodian, the narrative of its sections, and an unstructured
// document's embedded content. Read straight from the DOM, so a document whose sections the
// parser cannot read still keeps all of this. Pure.
import { inflateRawSync, inflateSync } from 'node:zlib';
import type { Document as XmlDocument } from '@xmldom/xmldom';
import { fhirDateOfTs } from './dates.js';
import { attr, child, childElements, narrativeText, path, textOf, type El } from './xml.js';

export interface CdaCode {
  code: string | null;
  system: string | null;
  display: string | null;
}

export interface CdaPatient {
  given: string[];
  family: string | null;
  birthDate: string | null;
  gender: string | null;
  identifiers: Array<{ root: string; extension: string | null }>;
  address: { line: string[]; city: string | null; state: string | null; postalCode: string | null; country: string | null } | null;
  telecom: string[];
}

export interface CdaSectionText {
  title: string;
  code: string | null;
  text: string;
}

export interface CdaHeader {
  id: { root: string; extension: string | null } | null;
  templateIds: string[];
  code: CdaCode;
  title: string | null;
  effectiveTime: string | null;
  patient: CdaPatient | null;
  author: { person: string | null; organization: string | null } | null;
  custodian: string | null;
  /** When the documented care happened: the encounter's, else the service event's period. */
  period: { start: string | null; end: string | null } | null;
  sections: CdaSectionText[];
  /** An unstructured document's body. */
  embedded: { mediaType: string; content: Buffer } | { reference: string } | null;
}

export function readHeader(document: XmlDocument): CdaHeader {
  const root = document.documentElement as unknown as El;
  const idElement = child(root, 'id');
  const codeElement = child(root, 'code');
  return {
    id: attr(idElement, 'root') ? { root: attr(idElement, 'root')!, extension: attr(idElement, 'extension') } : null,
    templateIds: childElements(root, 'templateId').flatMap((t) => attr(t, 'root') ?? []),
    code: { code: attr(codeElement, 'code'), system: attr(codeElement, 'codeSystem'), display: attr(codeElement, 'displayName') },
    title: clean(textOf(child(root, 'title'))),
    effectiveTime: fhirDateOfTs(attr(child(root, 'effectiveTime'), 'value')),
    patient: readPatient(path(root, 'recordTarget', 'patientRole')),
    author: readAuthor(path(root, 'author', 'assignedAuthor')),
    custodian: clean(textOf(path(root, 'custodian', 'assignedCustodian', 'representedCustodianOrganization', 'name'))),
    period: readPeriod(path(root, 'componentOf', 'encompassingEncounter', 'effectiveTime')) ?? readPeriod(path(root, 'documentationOf', 'serviceEvent', 'effectiveTime')),
    sections: readSections(path(root, 'component', 'structuredBody')),
    embedded: readEmbedded(path(root, 'component', 'nonXMLBody', 'text')),
  };
}

function clean(value: string | null | undefined): string | null {
  const text = value?.replace(/\s+/g, ' ').trim();
  return text ? text : null;
}

function readPatient(role: El | null): CdaPatient | null {
  if (!role) return null;
  const patient = child(role, 'patient');
  const names = childElements(patient, 'name');
  const name = names.find((n) => (attr(n, 'use') ?? '').split(/\s+/).includes('L')) ?? names[0] ?? null;
  const addr = child(role, 'addr');
  return {
    given: childElements(name, 'given').flatMap((g) => clean(textOf(g)) ?? []),
    family: clean(textOf(child(name, 'family'))) ?? (name && childElements(name).length === 0 ? clean(textOf(name)) : null),
    birthDate: fhirDateOfTs(attr(child(patient, 'birthTime'), 'value'))?.slice(0, 10) ?? null,
    gender: attr(child(patient, 'administrativeGenderCode'), 'code'),
    identifiers: childElements(role, 'id').flatMap((id) => (attr(id, 'root') ? [{ root: attr(id, 'root')!, extension: attr(id, 'extension') }] : [])),
    address: addr
      ? {
          line: childElements(addr, 'streetAddressLine').flatMap((l) => clean(textOf(l)) ?? []),
          city: clean(textOf(child(addr, 'city'))),
          state: clean(textOf(child(addr, 'state'))),
          postalCode: clean(textOf(child(addr, 'postalCode'))),
          country: clean(textOf(child(addr, 'country'))),
        }
      : null,
    telecom: childElements(role, 'telecom').flatMap((t) => attr(t, 'value') ?? []),
  };
}

function readAuthor(author: El | null): CdaHeader['author'] {
  if (!author) return null;
  const name = path(author, 'assignedPerson', 'name');
  const person = name ? clean([...childElements(name, 'prefix'), ...childElements(name, 'given'), ...childElements(name, 'family'), ...childElements(name, 'suffix')].map(textOf).join(' ') || textOf(name)) : null;
  return { person, organization: clean(textOf(path(author, 'representedOrganization', 'name'))) };
}

function readPeriod(effectiveTime: El | null): CdaHeader['period'] {
  if (!effectiveTime) return null;
  const start = fhirDateOfTs(attr(child(effectiveTime, 'low'), 'value') ?? attr(effectiveTime, 'value'));
  const end = fhirDateOfTs(attr(child(effectiveTime, 'high'), 'value'));
  return start || end ? { start, end } : null;
}

function readSections(body: El | null): CdaSectionText[] {
  const out: CdaSectionText[] = [];
  const visit = (section: El) => {
    const title = clean(textOf(child(section, 'title'))) ?? attr(child(section, 'code'), 'displayName') ?? 'Section';
    out.push({ title, code: attr(child(section, 'code'), 'code'), text: narrativeText(child(section, 'text')) });
    for (const component of childElements(section, 'component')) for (const nested of childElements(component, 'section')) visit(nested);
  };
  for (const component of childElements(body, 'component')) for (const section of childElements(component, 'section')) visit(section);
  return out;
}

const MAX_EMBEDDED_BYTES = 50 * 1024 * 1024;

function readEmbedded(text: El | null): CdaHeader['embedded'] {
  if (!text) return null;
  const reference = attr(child(text, 'reference'), 'value');
  const mediaType = attr(text, 'mediaType') ?? 'text/plain';
  const representation = (attr(text, 'representation') ?? 'TXT').toUpperCase();
  const raw = textOf(text);
  if (reference && raw.trim() === '') return { reference };
  let content = representation === 'B64' ? Buffer.from(raw.replace(/\s+/g, ''), 'base64') : Buffer.from(raw.trim(), 'utf8');
  const compression = (attr(text, 'compression') ?? '').toUpperCase();
  if (compression === 'DF') content = inflateRawSync(content, { maxOutputLength: MAX_EMBEDDED_BYTES });
  else if (compression === 'ZL') content = inflateSync(content, { maxOutputLength: MAX_EMBEDDED_BYTES });
  return content.length > 0 ? { mediaType: mediaType.toLowerCase(), content } : null;
}
