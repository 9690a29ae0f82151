import { describe, expect, it } from 'vitest';
import { bucket, DEFAULT_SIGN_IN_THROTTLE, refusalFor, requiredWaitSeconds, type BucketState } from '../../../src/accounts/sign-in-throttle.js';

const rule = { freeFailures: 5, firstWaitSeconds: 1, maxWaitSeconds: 900 };

describe('the sign-in throttle', () => {
  it.each([
    [0, 0],
    [4, 0],
    [5, 1],
    [6, 2],
    [9, 16],
    [14, 512],
    [15, 900],
    [1000, 900],
  ])('after %i failures asks for a wait of %i s', (failures, wait) => {
    expect(requiredWaitSeconds(failures, rule)).toBe(wait);
  });

  it('names buckets by hash: the same inputs the same bucket, no input readable in it', () => {
    const a = bucket('account', 'jane@example.org');
    expect(a.id.equals(bucket('account', 'jane@example.org').id)).toBe(true);
    expect(a.id.equals(bucket('address', 'jane@example.org').id)).toBe(false);
    expect(a.id.toString('latin1')).not.toContain('jane');
  });

  it('refuses with the longest remaining wait among the buckets, rounded up', () => {
    const account = bucket('account', 'jane@example.org');
    const address = bucket('address', '10.0.0.1');
    const states = new Map<string, BucketState>([
      [account.id.toString('hex'), { failures: 12, secondsSinceLastFailure: 1.5 }], // wait 4 s
      [address.id.toString('hex'), { failures: 21, secondsSinceLastFailure: 0.2 }], // wait 2 s
    ]);
    expect(refusalFor([account, address], states, DEFAULT_SIGN_IN_THROTTLE)).toEqual({ kind: 'account', retryAfterSeconds: 3 });
  });

  it('lets an attempt through once the wait is over, and forgets old failures', () => {
    const account = bucket('account', 'jane@example.org');
    const key = account.id.toString('hex');
    expect(refusalFor([account], new Map([[key, { failures: 12, secondsSinceLastFailure: 4 }]]), DEFAULT_SIGN_IN_THROTTLE)).toBeNull();
    const old = { failures: 500, secondsSinceLastFailure: DEFAULT_SIGN_IN_THROTTLE.forgetAfterSeconds };
    expect(refusalFor([account], new Map([[key, old]]), DEFAULT_SIGN_IN_THROTTLE)).toBeNull();
    expect(refusalFor([account], new Map(), DEFAULT_SIGN_IN_THROTTLE)).toBeNull();
  });
});
