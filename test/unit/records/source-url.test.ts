import { describe, expect, it } from 'vitest';
import { sourceUrlResolver } from '../../../src/records/source-url.js';
import { toRecordRow } from '../../../src/sync/record-row.js';

describe('where an attachment is fetched from', () => {
  const resolve = sourceUrlResolver('https://portal.example.org/fhir/r4/');

  it('reads a relative URL against the FHIR base and keeps an absolute one on the portal', () => {
    expect(resolve('Binary/abc')).toBe('https://portal.example.org/fhir/r4/Binary/abc');
    expect(resolve('/Binary/abc')).toBe('https://portal.example.org/fhir/r4/Binary/abc');
    expect(resolve('https://portal.example.org/docs/1.pdf')).toBe('https://portal.example.org/docs/1.pdf');
  });

  it('gives nothing for a URL off the portal, so no token is ever sent elsewhere', () => {
    expect(resolve('https://evil.example.com/Binary/abc')).toBeNull();
    expect(resolve('http://portal.example.org/fhir/r4/Binary/abc')).toBeNull(); // another origin: scheme differs
    expect(resolve('urn:uuid:9d7a3a2c-0000-4000-8000-000000000001')).toBeNull();
  });

  it('resolves an upload\'s own URLs under its urn base', () => {
    expect(sourceUrlResolver('urn:carebinder:upload:u1')('Binary/original')).toBe('urn:carebinder:upload:u1/Binary/original');
  });

  it('stores the resolved URL on the record once, when the row is made', () => {
    const row = toRecordRow(
      {
        resourceType: 'DocumentReference',
        id: 'd1',
        status: 'current',
        content: [{ attachment: { url: 'Binary/abc', contentType: 'application/pdf' } }, { attachment: { url: 'https://elsewhere.example/x.pdf' } }, { attachment: { data: 'aGk=', contentType: 'text/plain' } }],
      },
      { portalId: 'north', resolveAttachment: resolve },
    );
    const documents = (JSON.parse(row.binder) as { documents: Array<{ url?: string; sourceUrl?: string; embedded?: boolean }> }).documents;
    expect(documents).toEqual([
      { url: 'Binary/abc', contentType: 'application/pdf', sourceUrl: 'https://portal.example.org/fhir/r4/Binary/abc' },
      { url: 'https://elsewhere.example/x.pdf' },
      { contentType: 'text/plain', embedded: true },
    ]);
  });
});
