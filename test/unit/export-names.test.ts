import { describe, expect, it } from 'vitest';
import { datePart, extensionFor, NameBook, safeSegment } from '../../src/exports/names.js';

describe('file names in the zip', () => {
  it.each([
    ['../../etc/passwd', 'etc-passwd'],
    ['..', 'document'],
    ['.hidden', 'hidden'],
    ['a\u0000b\nc', 'a b c'],
    ['C:\\Windows\\system32', 'C--Windows-system32'],
    ['report: "final" <v2> | ok?*', 'report- -final- -v2- - ok--'],
    ['CON', '_CON'],
    ['   ', 'document'],
    ['Zoë’s café µmol', 'Zoë’s café µmol'],
  ])('makes %j a safe path segment', (input, expected) => {
    const segment = safeSegment(input);
    expect(segment).toBe(expected);
    expect(segment).not.toMatch(/[/\\\p{Cc}]/u);
    expect(segment.startsWith('.')).toBe(false);
  });

  it('cuts long titles without splitting a character', () => {
    const segment = safeSegment('é'.repeat(300));
    expect([...segment]).toHaveLength(100);
  });

  it('never hands out the same name twice, whatever the case', () => {
    const book = new NameBook();
    expect(book.claim('documents/vaccines', '2024-10-01 Flu', 'pdf')).toBe('documents/vaccines/2024-10-01 Flu.pdf');
    expect(book.claim('documents/vaccines', '2024-10-01 flu', 'pdf')).toBe('documents/vaccines/2024-10-01 flu (2).pdf');
    expect(book.claim('documents/vaccines', '2024-10-01 Flu', 'pdf')).toBe('documents/vaccines/2024-10-01 Flu (3).pdf');
    expect(book.claim('documents/vaccines', '2024-10-01 Flu', 'txt')).toBe('documents/vaccines/2024-10-01 Flu.txt');
  });

  it('keeps what a partial FHIR date has, and says undated otherwise', () => {
    expect(datePart('2023-05-01T09:00:00Z')).toBe('2023-05-01');
    expect(datePart('2023-05')).toBe('2023-05');
    expect(datePart(null)).toBe('undated');
    expect(datePart('yesterday')).toBe('undated');
  });

  it('names the extension from the content type, parameters ignored', () => {
    expect(extensionFor('application/pdf')).toBe('pdf');
    expect(extensionFor('text/plain; charset=utf-8')).toBe('txt');
    expect(extensionFor('application/x-unknown')).toBe('bin');
  });
});
