// The "Export & share" page's pure helpers (web/src/shares.ts).
import { describe, expect, it } from 'vitest';
import { SHARE_MAX_DAYS } from '../../../src/api/shares.js';
import { EXPIRY_PRESETS, expiryFor, formatBytes } from '../../../web/src/shares.js';

const now = new Date('2026-12-08T10:00:00Z');

describe('share expiry presets', () => {
  it.each([
    ['1d', '2026-12-09T10:00:00.000Z'],
    ['7d', '2026-12-15T10:00:00.000Z'],
    ['90d', '2027-03-08T10:00:00.000Z'],
    ['nonsense', '2026-12-15T10:00:00.000Z'],
  ])('should turn %s into %s', (preset, expected) => {
    expect(expiryFor(preset, now)).toBe(expected);
  });

  it('should offer nothing the server refuses (at most a year)', () => {
    for (const preset of EXPIRY_PRESETS) expect(preset.ms).toBeLessThanOrEqual(SHARE_MAX_DAYS * 86_400_000);
  });
});

describe('byte sizes', () => {
  it.each([
    [0, '0 bytes'],
    [900, '900 bytes'],
    [1500, '1 KB'],
    [15 * 1024, '15 KB'],
    [3.25 * 1024 * 1024, '3.3 MB'],
    [120 * 1024 * 1024, '120 MB'],
    [2.5 * 1024 ** 3, '2560 MB'],
  ])('should write %d as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
