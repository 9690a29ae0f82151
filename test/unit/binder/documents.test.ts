import { describe, expect, it } from 'vitest';
import { documentDelivery } from '../../../src/binder/documents.js';

describe('how a document is served, by the content type a portal declared', () => {
  it.each([
    ['application/pdf', 'application/pdf'],
    ['image/png', 'image/png'],
    ['image/jpeg', 'image/jpeg'],
    ['IMAGE/GIF', 'image/gif'],
    ['image/webp; q=1', 'image/webp'],
    ['text/plain; charset=iso-8859-1', 'text/plain; charset=utf-8'],
  ])('should show %s inline as %s (the allow-list)', (declared, served) => {
    expect(documentDelivery(declared)).toEqual({ contentType: served, disposition: 'inline' });
  });

  it.each([
    'text/html',
    'application/xhtml+xml',
    'text/xml',
    'application/xml',
    'application/fhir+xml',
    'application/rss+xml',
    'application/vnd.mozilla.xul+xml',
    'text/xsl',
    'application/javascript',
    'application/x-javascript',
    'text/ecmascript',
    'text/javascript',
    'application/json',
    'application/fhir+json',
    'text/rtf',
  ])('should show the text of %s as text/plain, never as itself', (declared) => {
    expect(documentDelivery(declared)).toEqual({ contentType: 'text/plain; charset=utf-8', disposition: 'inline' });
  });

  it.each([
    'multipart/x-mixed-replace; boundary=x',
    'image/svg+xml',
    'image/bmp',
    'application/octet-stream',
    'application/msword',
    'application/x-shockwave-flash',
    'video/mp4',
    'made-up',
    '',
    'text/html\r\nx-injected: 1',
  ])('should offer %j only as a download of bytes', (declared) => {
    expect(documentDelivery(declared)).toEqual({ contentType: 'application/octet-stream', disposition: 'attachment' });
  });
});
