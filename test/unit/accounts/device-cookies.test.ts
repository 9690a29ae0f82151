import { describe, expect, it } from 'vitest';
import { deriveDeviceCookieKey, newDeviceEntry, readDeviceCookie, writeDeviceCookie } from '../../../src/accounts/device-cookies.js';

const key = deriveDeviceCookieKey(Buffer.alloc(32, 1));
const otherKey = deriveDeviceCookieKey(Buffer.alloc(32, 2));
const alice = '2f1c7a52-6f0e-4c1b-9d7a-0a8d3b2c1e01';
const bob = '9b0e5d3c-1a2b-4c3d-8e4f-5a6b7c8d9e02';

describe('device cookies', () => {
  it('reads back what it wrote, newest first', () => {
    const first = newDeviceEntry(alice);
    const second = newDeviceEntry(bob);
    const value = writeDeviceCookie(key, second, [first]);
    expect(readDeviceCookie(key, value)).toEqual([second, first]);
  });

  it('derives a key that is not the server secret itself', () => {
    expect(key.equals(Buffer.alloc(32, 1))).toBe(false);
    expect(key).toHaveLength(32);
  });

  it.each([
    ['another key', (value: string) => value, otherKey],
    ['a changed signature', (value: string) => value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A'), key],
    ['a changed nonce', (value: string) => value.replace(/\.(.)/, (_m, c: string) => `.${c === 'A' ? 'B' : 'A'}`), key],
    ['another account id', (value: string) => value.replace(alice, bob), key],
    ['garbage', () => 'not.a.cookie', key],
    ['nothing', () => '', key],
  ])('trusts nothing signed with or changed by %s', (_label, change, readWith) => {
    const value = writeDeviceCookie(key, newDeviceEntry(alice), []);
    expect(readDeviceCookie(readWith, change(value))).toEqual([]);
  });

  it('keeps a valid entry beside a forged one', () => {
    const entry = newDeviceEntry(alice);
    const value = `${writeDeviceCookie(key, entry, [])}~${bob}.AAAAAAAAAAAAAAAAAAAAAA.${'A'.repeat(43)}`;
    expect(readDeviceCookie(key, value)).toEqual([entry]);
  });

  it('keeps one entry per account and at most four', () => {
    const entries = Array.from({ length: 6 }, (_, i) => newDeviceEntry(`00000000-0000-4000-8000-00000000000${i}`));
    const again = newDeviceEntry(entries[1].accountId);
    const value = writeDeviceCookie(key, again, entries);
    const read = readDeviceCookie(key, value);
    expect(read).toHaveLength(4);
    expect(read[0]).toEqual(again);
    expect(read.filter((e) => e.accountId === entries[1].accountId)).toHaveLength(1);
  });
});
