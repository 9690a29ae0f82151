import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MalformedFileError, sniffUpload, UnsupportedFileError } from '../../../src/uploads/sniff.js';

const ccd = readFileSync(new URL('../../fixtures/ccda/ccd-r2.1.xml', import.meta.url));
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe('sniffUpload: what a file is, by its bytes', () => {
  it.each([
    { name: 'C-CDA XML', bytes: ccd, kind: 'ccda' },
    { name: 'C-CDA XML with a byte-order mark', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), ccd]), kind: 'ccda' },
    { name: 'a FHIR resource', bytes: Buffer.from('{"resourceType":"Patient","id":"a"}'), kind: 'fhir-json' },
    { name: 'a FHIR Bundle with leading whitespace', bytes: Buffer.from('\n  {"resourceType":"Bundle","type":"collection"}'), kind: 'fhir-json' },
    { name: 'NDJSON', bytes: Buffer.from('{"resourceType":"Patient","id":"a"}\n{"resourceType":"Condition","id":"b"}\n'), kind: 'fhir-ndjson' },
    { name: 'a PDF', bytes: Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'), kind: 'pdf' },
    { name: 'a PNG', bytes: PNG, kind: 'png' },
    { name: 'a JPEG', bytes: Buffer.from('ffd8ffe000104a46494600010100000100010000ffdb', 'hex'), kind: 'jpeg' },
    { name: 'plain text', bytes: Buffer.from('Discharge summary\r\nAdmitted 2024-01-02.\n'), kind: 'text' },
    { name: 'plain text that starts with a bracket', bytes: Buffer.from('[Scanned 2024-01-02] Clinic letter\n{handwritten note}\n'), kind: 'text' },
  ])('$name is $kind', async ({ bytes, kind }) => {
    expect((await sniffUpload(bytes)).kind).toBe(kind);
  });

  it.each([
    { name: 'a ZIP', bytes: Buffer.from('504b030414000000080000000000', 'hex') },
    { name: 'a GIF', bytes: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1') },
    { name: 'a Windows executable', bytes: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]) },
    { name: 'binary noise', bytes: Buffer.from([0, 1, 2, 3, 255, 254, 253]) },
    { name: 'Latin-1 text that is not UTF-8', bytes: Buffer.from('R\xe9sum\xe9 \xff', 'latin1') },
    { name: 'HTML', bytes: Buffer.from('<!doctype html><html><body>hi</body></html>') },
    { name: 'XML of another kind', bytes: Buffer.from('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>') },
  ])('refuses $name as unsupported (415)', async ({ bytes }) => {
    await expect(sniffUpload(bytes)).rejects.toThrow(UnsupportedFileError);
  });

  it.each([
    { name: 'an empty file', bytes: Buffer.alloc(0) },
    { name: 'malformed JSON', bytes: Buffer.from('{"resourceType":') },
    { name: 'JSON without a resourceType', bytes: Buffer.from('[{"a":1}]') },
    { name: 'NDJSON with a line that is not a resource', bytes: Buffer.from('{"resourceType":"Patient","id":"a"}\n{"id":"b"}\n') },
    { name: 'malformed XML', bytes: Buffer.from('<ClinicalDocument xmlns="urn:hl7-org:v3"><a></b></ClinicalDocument>') },
    { name: 'XML with an internal DTD subset', bytes: Buffer.from('<?xml version="1.0"?><!DOCTYPE ClinicalDocument [<!ELEMENT ClinicalDocument ANY>]><ClinicalDocument xmlns="urn:hl7-org:v3"/>') },
    { name: 'XML with an external entity', bytes: Buffer.from('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "http://127.0.0.1/x">]><ClinicalDocument xmlns="urn:hl7-org:v3">&e;</ClinicalDocument>') },
  ])('refuses $name as malformed (400)', async ({ bytes }) => {
    await expect(sniffUpload(bytes)).rejects.toThrow(MalformedFileError);
  });
});
