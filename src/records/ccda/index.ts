// C-CDA (R2.1 and R1.1) documents as FHIR R4: the document itself as a DocumentReference typed
// by its LOINC document code, with the original XML, a plain-text reading of its narrative and,
// for an unstructured document, its embedded PDF or text; the patient from the header; and the
// structured sections' entries as Conditions, MedicationStatements, Immunizations, results,
// vitals, Procedures, AllergyIntolerances and Encounters. The sections are read by
// @amida-tech/blue-button (which parsed every real document it was tried on, where
// @medplum/ccda threw) and mapped here. Tolerant: a part that cannot be read is a warning, never
// the loss of the document. Pure apart from the parser.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { DOMParser, XMLSerializer, type Document as XmlDocument } from '@xmldom/xmldom';
import { FILED_BY_PATIENT_SYSTEM, type CategoryId } from '../categories.js';
import { systemNameOfOid, systemUriOfOid } from './code-systems.js';
import { readHeader, type CdaHeader } from './header.js';
import { sectionsToFhir, type Resource } from './sections.js';
import { CDA_NS, childElements } from './xml.js';

export type { Resource } from './sections.js';

/** Why a file is refused as C-CDA: unsafe (DTD, entities), not well-formed, or not a CDA document. */
export class CdaRefusedError extends Error {
  override name = 'CdaRefusedError';
  constructor(
    readonly reason: 'unsafe' | 'malformed' | 'not-cda',
    message: string,
  ) {
    super(message);
  }
}

const DOCTYPE = /<!DOCTYPE/i;
const ENTITY = /<!ENTITY/i;

/**
 * The DOM of a CDA document. A DOCTYPE (internal subset or external DTD) or an entity
 * declaration refuses the document before any parser sees it: no entity expansion and no
 * external fetch, whatever parser reads it later.
 */
export function parseCda(text: string): XmlDocument {
  if (DOCTYPE.test(text) || ENTITY.test(text)) throw new CdaRefusedError('unsafe', 'XML with a DTD or entity declarations is refused (C-CDA documents have none).');
  const problems: string[] = [];
  let document: XmlDocument;
  try {
    document = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') problems.push(String(message).split('\n')[0]);
      },
    }).parseFromString(text, 'text/xml');
  } catch (error) {
    throw new CdaRefusedError('malformed', `The XML is not well-formed: ${(error as Error).message.split('\n')[0].slice(0, 200)}`);
  }
  if (problems.length > 0) throw new CdaRefusedError('malformed', `The XML is not well-formed: ${problems[0].slice(0, 200)}`);
  const root = document.documentElement;
  if (!root) throw new CdaRefusedError('malformed', 'The XML has no root element.');
  if (root.localName !== 'ClinicalDocument' || root.namespaceURI !== CDA_NS) {
    throw new CdaRefusedError('not-cda', `An XML document whose root is <${root.localName ?? '?'}> is not accepted: only C-CDA (HL7 CDA R2 ClinicalDocument) XML is.`);
  }
  return document;
}

export interface CcdaOptions {
  fileName: string;
  /** A category the patient chose for the document. */
  category: CategoryId | null;
  /** The patient's own title and date, used where the document gives none. */
  title: string | null;
  date: string | null;
  /** Tags every resource carries (e.g. where it came from). */
  tags: ReadonlyArray<{ system: string; code: string; display?: string }>;
}

export interface CcdaConversion {
  resources: Resource[];
  documents: Array<{ url: string; contentType: string; content: Buffer }>;
  warnings: string[];
  patient: { name: string | null; birthDate: string | null } | null;
  /** The id of the Patient resource every other resource names. */
  patientId: string;
  header: CdaHeader;
}

const PATIENT_ID = 'patient';
const UNSTRUCTURED_TEMPLATE = '2.16.840.1.113883.10.20.22.1.10';
const FORMAT_SYSTEM = 'http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode';

const require = createRequire(import.meta.url);
type BlueButton = { parseString(xml: string): { data?: unknown; errors?: unknown } };
let blueButton: BlueButton | null = null;
function parser(): BlueButton {
  blueButton ??= require('@amida-tech/blue-button') as BlueButton;
  return blueButton;
}

export function convertCcda(text: string, options: CcdaOptions): CcdaConversion {
  const document = parseCda(text);
  const header = readHeader(document);
  const warnings: string[] = [];
  const resources: Resource[] = [];
  const documents: CcdaConversion['documents'] = [];
  const original = Buffer.from(text, 'utf8');

  const patient = header.patient ? patientResource(header) : null;
  if (patient) resources.push(patient);
  else warnings.push('The document names no patient (recordTarget).');

  // The document's own content, viewable in the binder: an unstructured document's embedded file,
  // else its narrative as plain text; and always the original XML.
  const contents: Array<{ url: string; contentType: string; title: string; content: Buffer }> = [];
  const title = header.title ?? options.title ?? header.code.display ?? options.fileName;
  if (header.embedded && 'content' in header.embedded) {
    contents.push({ url: 'Binary/embedded', contentType: header.embedded.mediaType, title, content: header.embedded.content });
  } else if (header.embedded && 'reference' in header.embedded) {
    warnings.push(`The document's content is a separate file (${header.embedded.reference.slice(0, 100)}) that was not uploaded with it.`);
  }
  const narrative = header.sections.map((s) => `${s.title}\n${'-'.repeat(Math.min(s.title.length, 60))}\n${s.text}`).join('\n\n');
  if (narrative.trim()) contents.push({ url: 'Binary/text', contentType: 'text/plain', title: `${title} (text)`, content: Buffer.from(`${title}\n\n${narrative}\n`, 'utf8') });
  contents.push({ url: 'Binary/original', contentType: 'application/xml', title: options.fileName, content: original });
  for (const c of contents) documents.push({ url: c.url, contentType: c.contentType, content: c.content });
  resources.push(documentReference(header, options, title, contents));

  // The structured sections, each on its own.
  const hasStructuredBody = document.getElementsByTagNameNS(CDA_NS, 'structuredBody').length > 0;
  if (hasStructuredBody && !header.templateIds.includes(UNSTRUCTURED_TEMPLATE)) {
    try {
      const parsed = parser().parseString(prepareForParser(document));
      const sections = sectionsToFhir(parsed.data);
      resources.push(...sections.resources);
      warnings.push(...sections.warnings);
    } catch {
      warnings.push("The document's structured sections could not be read; the document itself was kept.");
    }
  }

  const tagged = resources.map((resource) => withTags(resource, options.tags));
  const name = header.patient ? [...header.patient.given, header.patient.family ?? ''].join(' ').trim() || null : null;
  return { resources: tagged, documents, warnings, patient: header.patient ? { name, birthDate: header.patient.birthDate } : null, patientId: PATIENT_ID, header };
}

// Entries-optional section templates (C-CDA R1.1 and R2.1) and their entries-required forms, which
// blue-button looks for: a section of either kind holds the same entries.
const ENTRIES_REQUIRED: Readonly<Record<string, string>> = {
  '2.16.840.1.113883.10.20.22.2.1': '2.16.840.1.113883.10.20.22.2.1.1', // medications
  '2.16.840.1.113883.10.20.22.2.2': '2.16.840.1.113883.10.20.22.2.2.1', // immunizations
  '2.16.840.1.113883.10.20.22.2.3': '2.16.840.1.113883.10.20.22.2.3.1', // results
  '2.16.840.1.113883.10.20.22.2.4': '2.16.840.1.113883.10.20.22.2.4.1', // vital signs
  '2.16.840.1.113883.10.20.22.2.5': '2.16.840.1.113883.10.20.22.2.5.1', // problems
  '2.16.840.1.113883.10.20.22.2.6': '2.16.840.1.113883.10.20.22.2.6.1', // allergies
  '2.16.840.1.113883.10.20.22.2.7': '2.16.840.1.113883.10.20.22.2.7.1', // procedures
  '2.16.840.1.113883.10.20.22.2.11': '2.16.840.1.113883.10.20.22.2.11.1', // hospital discharge medications
  '2.16.840.1.113883.10.20.22.2.22': '2.16.840.1.113883.10.20.22.2.22.1', // encounters
};

/**
 * The document as the parser needs it, changed only where the parser would otherwise lose
 * something: blue-button drops the OID of a code whose system it does not know (ICD-10-CM among
 * them) and keeps only a codeSystemName, so every coded element without one gets its system's
 * name; and it reads sections by their entries-required templateId, so an entries-optional
 * section also names that one.
 */
function prepareForParser(document: XmlDocument): string {
  const all = document.getElementsByTagNameNS(CDA_NS, '*');
  const sections: Array<NonNullable<ReturnType<typeof all.item>>> = [];
  for (let i = 0; i < all.length; i++) {
    const element = all.item(i);
    if (!element) continue;
    if (element.localName === 'section') sections.push(element);
    const oid = element.getAttribute('codeSystem');
    if (!oid || element.getAttribute('codeSystemName')) continue;
    const name = systemNameOfOid(oid);
    if (name) element.setAttribute('codeSystemName', name);
  }
  for (const section of sections) {
    const roots = childElements(section, 'templateId').map((t) => t.getAttribute('root') ?? '');
    const first = childElements(section, 'templateId')[0];
    for (const root of roots) {
      const required = ENTRIES_REQUIRED[root];
      if (!required || roots.includes(required) || !first) continue;
      const added = document.createElementNS(CDA_NS, 'templateId');
      added.setAttribute('root', required);
      section.insertBefore(added, first);
    }
  }
  return new XMLSerializer().serializeToString(document);
}

function patientResource(header: CdaHeader): Resource {
  const p = header.patient!;
  const gender = { M: 'male', F: 'female', UN: 'other' }[p.gender ?? ''] ?? 'unknown';
  return {
    resourceType: 'Patient',
    id: PATIENT_ID,
    identifier: p.identifiers.map((id) => (id.extension ? { system: `urn:oid:${id.root}`, value: id.extension } : { system: 'urn:ietf:rfc:3986', value: `urn:oid:${id.root}` })),
    name: [{ use: 'official', ...(p.family ? { family: p.family } : {}), ...(p.given.length ? { given: p.given } : {}) }],
    gender,
    ...(p.birthDate ? { birthDate: p.birthDate } : {}),
    ...(p.address ? { address: [dropNulls({ line: p.address.line.length ? p.address.line : null, city: p.address.city, state: p.address.state, postalCode: p.address.postalCode, country: p.address.country })] } : {}),
    ...(p.telecom.length ? { telecom: p.telecom.map((value) => (value.startsWith('mailto:') ? { system: 'email', value: value.slice(7) } : { system: 'phone', value: value.replace(/^tel:/, '') })) } : {}),
  };
}

function documentReference(header: CdaHeader, options: CcdaOptions, title: string, contents: Array<{ url: string; contentType: string; title: string; content: Buffer }>): Resource {
  const code = header.code;
  const system = systemUriOfOid(code.system);
  const structured = !header.embedded;
  // DocumentReference.date is an instant: a document dated to the day only has none.
  const date = header.effectiveTime?.includes('T') ? header.effectiveTime : null;
  const periodStart = header.period?.start ?? header.effectiveTime ?? options.date;
  return dropNulls({
    resourceType: 'DocumentReference',
    id: 'document',
    meta: options.category ? { tag: [{ system: FILED_BY_PATIENT_SYSTEM, code: options.category, display: 'chosen by the patient' }] } : null,
    identifier: header.id ? [header.id.extension ? { system: `urn:oid:${header.id.root}`, value: header.id.extension } : { system: 'urn:ietf:rfc:3986', value: `urn:oid:${header.id.root}` }] : null,
    status: 'current',
    type: code.code ? { coding: [{ ...(system ? { system } : {}), code: code.code, ...(code.display ? { display: code.display } : {}) }], text: title } : { text: title },
    category: [{ coding: [{ system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category', code: 'clinical-note', display: 'Clinical Note' }] }],
    subject: header.patient ? { reference: `Patient/${PATIENT_ID}` } : null,
    date,
    author: header.author?.person || header.author?.organization ? [{ display: header.author.person ?? header.author.organization }] : null,
    custodian: header.custodian ? { display: header.custodian } : null,
    description: title,
    content: contents.map((c) => ({
      attachment: { contentType: c.contentType, url: c.url, title: c.title, size: c.content.length, hash: createHash('sha1').update(c.content).digest('base64') },
      ...(c.url === 'Binary/original' ? { format: { system: FORMAT_SYSTEM, code: structured ? 'urn:hl7-org:sdwg:ccda-structuredBody:2.1' : 'urn:hl7-org:sdwg:ccda-nonXMLBody:2.1' } } : {}),
    })),
    context: periodStart || header.period?.end ? { period: dropNulls({ start: periodStart ?? null, end: header.period?.end ?? null }) } : null,
  });
}

function withTags(resource: Resource, tags: CcdaOptions['tags']): Resource {
  if (tags.length === 0) return resource;
  const meta = (resource.meta as { tag?: unknown[] } | undefined) ?? {};
  return { ...resource, meta: { ...meta, tag: [...(meta.tag ?? []), ...tags] } };
}

function dropNulls<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as T;
}
