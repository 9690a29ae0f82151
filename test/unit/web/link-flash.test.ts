import { describe, expect, it } from 'vitest';
import { KNOWN_REASONS, linkFlashMessage, readLinkFlash, shouldShowLinkFlash } from '../../../web/src/link-flash.js';
import { LINK_FAILURE_REASONS } from '../../../src/portals/link-outcome.js';

describe('the portal sending the browser back', () => {
  it('should read a success and drop the flags from the address', () => {
    expect(readLinkFlash('?link=success&portal=riverside')).toEqual({ flash: { outcome: 'success', portalId: 'riverside', reason: null }, rest: '' });
  });

  it('should keep unrelated parameters', () => {
    expect(readLinkFlash('?link=error&portal=riverside&reason=access-denied&tab=2').rest).toBe('?tab=2');
  });

  it('should word a known reason code in its own words, naming the portal from the catalog', () => {
    const { flash } = readLinkFlash('?link=error&portal=riverside&reason=access-denied');
    expect(flash).toEqual({ outcome: 'error', portalId: 'riverside', reason: 'access-denied' });
    expect(linkFlashMessage(flash!, 'Riverside Hospital')).toBe('You did not allow carebinder to read your records at Riverside Hospital. Nothing was linked.');
  });

  it('should say why an answer from another server was refused', () => {
    const { flash } = readLinkFlash('?link=error&portal=northside&reason=issuer-mismatch');
    expect(linkFlashMessage(flash!, 'Northside Hospital')).toMatch(/different server than the one carebinder sent you to \(Northside Hospital\).*Nothing was linked/);
  });

  it.each([
    ['free text posing as an official notice', 'Your carebinder account was suspended. Call +1-555-0100'],
    ['markup', '<img src=x onerror=alert(1)> You did not allow carebinder'],
    ['a code with different case', 'ACCESS-DENIED'],
    ['an inherited property name', 'constructor'],
    ['an inherited property name', '__proto__'],
  ])('should never show %s from the address bar, only the generic message', (_, reason) => {
    const { flash } = readLinkFlash(`?link=error&portal=northside&reason=${encodeURIComponent(reason)}`);
    expect(flash?.reason).toBeNull();
    const words = linkFlashMessage(flash!, 'Northside Hospital');
    expect(words).toBe('Linking Northside Hospital did not work. Nothing was linked.');
    expect(words).not.toContain(reason);
  });

  it('should never show a portal id the catalog does not know, nor one that is not an id', () => {
    const forged = 'Your carebinder account was suspended';
    const { flash } = readLinkFlash(`?link=success&portal=${encodeURIComponent(forged)}`);
    expect(flash?.portalId).toBeNull();
    expect(linkFlashMessage(flash!, null)).toBe('Linked the portal. carebinder is fetching your records now.');
    // A well-formed id the catalog does not know: the client passes no name, and the id is not shown.
    const unknown = readLinkFlash('?link=error&portal=call-555-0100&reason=failed').flash!;
    expect(linkFlashMessage(unknown, null)).toBe('Linking the portal did not work. Nothing was linked.');
  });

  it('should announce a success only for a portal the patient has a link to', () => {
    const success = readLinkFlash('?link=success&portal=riverside').flash!;
    expect(shouldShowLinkFlash(success, ['northside', 'riverside'])).toBe(true);
    expect(shouldShowLinkFlash(success, ['northside'])).toBe(false);
    expect(shouldShowLinkFlash(readLinkFlash('?link=success').flash!, ['northside'])).toBe(false);
    // A failure links nothing, so there is no link to find: it is always shown, in carebinder's words.
    expect(shouldShowLinkFlash(readLinkFlash('?link=error&portal=riverside&reason=access-denied').flash!, [])).toBe(true);
  });

  it('should ignore a reason on a success', () => {
    expect(readLinkFlash('?link=success&portal=x&reason=access-denied').flash?.reason).toBeNull();
  });

  it('should ignore anything but success or error', () => {
    expect(readLinkFlash('?link=maybe&portal=x')).toEqual({ flash: null, rest: '?link=maybe&portal=x' });
    expect(readLinkFlash('')).toEqual({ flash: null, rest: '' });
  });

  it('should word every reason code the server sends, and no other', () => {
    expect([...KNOWN_REASONS].sort()).toEqual([...LINK_FAILURE_REASONS].sort());
    for (const reason of KNOWN_REASONS) {
      const words = linkFlashMessage({ outcome: 'error', portalId: 'p', reason }, 'Riverside Hospital');
      expect(words).toContain('Nothing was linked.');
    }
  });

  it('should word the banner with the portal name when known', () => {
    expect(linkFlashMessage({ outcome: 'success', portalId: 'riverside', reason: null }, 'Riverside Hospital')).toBe('Linked Riverside Hospital. carebinder is fetching your records now.');
    expect(linkFlashMessage({ outcome: 'error', portalId: null, reason: null }, null)).toBe('Linking the portal did not work. Nothing was linked.');
  });
});
