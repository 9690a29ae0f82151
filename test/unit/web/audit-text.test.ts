import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../../../src/audit/repository.js';
import { auditEventText, isNotable } from '../../../web/src/audit-text.js';

describe('the activity page words each audit event', () => {
  it.each([
    ['sign-in', null, 'Signed in'],
    ['sign-in.failed', null, 'Failed sign-in (wrong password)'],
    ['record.read', 'record', 'Opened the binder'],
    ['record.read', 'record:health-history-tests', "Opened the binder's health history tests"],
    ['record.read', 'entry:abc', 'Opened one of your own entries'],
    ['export.read', 'export:pdf', 'Downloaded the binder as a PDF'],
    ['export.read', 'request-letter:1', 'Downloaded a records-request letter'],
    ['share.read', 'share:1', 'A shared link was opened'],
    ['something.new', null, 'something.new'],
  ])('should word %s on %s as "%s"', (action, target, text) => {
    expect(auditEventText(action, target)).toBe(text);
  });

  it('should word every action the server records in words, not as its code', () => {
    const unworded = AUDIT_ACTIONS.filter((action) => auditEventText(action, null) === action);
    expect(unworded).toEqual([]);
  });

  it('should mark failed sign-ins and reads of a shared link as worth a second look', () => {
    expect(AUDIT_ACTIONS.filter(isNotable)).toEqual(['sign-in.failed', 'sign-in.held-back', 'share.read', 'share.read-refused']);
  });
});
