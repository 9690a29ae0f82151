import { describe, expect, it } from 'vitest';
import { linkFlashMessage, readLinkFlash } from '../../../web/src/link-flash.js';

describe('the portal sending the browser back', () => {
  it('should read a success and drop the flags from the address', () => {
    expect(readLinkFlash('?link=success&portal=riverside')).toEqual({ flash: { outcome: 'success', portalId: 'riverside', reason: null }, rest: '' });
  });

  it('should keep unrelated parameters', () => {
    expect(readLinkFlash('?link=error&portal=riverside&reason=nope&tab=2').rest).toBe('?tab=2');
  });

  it('should read an error with its reason as plain text', () => {
    const reason = '<img src=x onerror=alert(1)> You did not allow carebinder';
    const { flash } = readLinkFlash(`?link=error&portal=riverside&reason=${encodeURIComponent(reason)}`);
    // Shown with textContent: the markup stays visible words, it is never parsed.
    expect(flash).toEqual({ outcome: 'error', portalId: 'riverside', reason });
    expect(linkFlashMessage(flash!, 'Riverside Hospital')).toBe(reason);
  });

  it('should strip control characters and cap a runaway reason', () => {
    const { flash } = readLinkFlash(`?link=error&reason=${encodeURIComponent(`bad\u0000\u001b[31m${'x'.repeat(2000)}`)}`);
    expect([...(flash?.reason ?? '')].every((c) => c.charCodeAt(0) >= 0x20)).toBe(true);
    expect(flash?.reason?.length).toBe(500);
    expect(flash?.reason?.endsWith('…')).toBe(true);
  });

  it('should ignore anything but success or error', () => {
    expect(readLinkFlash('?link=maybe&portal=x')).toEqual({ flash: null, rest: '?link=maybe&portal=x' });
    expect(readLinkFlash('')).toEqual({ flash: null, rest: '' });
  });

  it('should word the banner with the portal name when known', () => {
    expect(linkFlashMessage({ outcome: 'success', portalId: 'riverside', reason: null }, 'Riverside Hospital')).toBe('Linked Riverside Hospital. carebinder is fetching your records now.');
    expect(linkFlashMessage({ outcome: 'success', portalId: 'riverside', reason: null }, null)).toContain('Linked riverside.');
    expect(linkFlashMessage({ outcome: 'error', portalId: null, reason: null }, null)).toBe('Linking the portal did not work. Nothing was linked.');
  });
});
