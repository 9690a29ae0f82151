// The audit trail's events in a person's words ("Opened a document", "Downloaded the binder as a PDF").
// Pure: unit-tested in Node.

const EXPORTS: Record<string, string> = {
  'export:json': 'Downloaded the complete record (FHIR Bundle)',
  'export:zip': 'Downloaded the zip to keep',
  'export:ips': 'Downloaded the International Patient Summary',
  'export:pdf': 'Downloaded the binder as a PDF',
};

const READS: Record<string, string> = {
  record: 'Opened the binder',
  entries: 'Opened your own entries',
  checklist: "Opened what's missing",
  details: 'Opened your details',
};

const ACTIONS: Record<string, string> = {
  'sign-in': 'Signed in',
  'sign-in.failed': 'Failed sign-in (wrong password)',
  'sign-in.held-back': 'Sign-in held back after too many failures',
  'sign-out': 'Signed out',
  'resource.read': 'Opened a record',
  'document.read': 'Opened a document',
  'share.create': 'Shared a link (SMART Health Link)',
  'share.revoke': 'Revoked a shared link',
  'share.read': 'A shared link was opened',
  'share.read-refused': 'A shared link was tried with a wrong passcode',
  'link.start': 'Started linking a portal',
  'link.create': 'Linked a portal',
  'link.remove': 'Unlinked a portal',
  'upload.create': 'Uploaded a file',
  'upload.delete': 'Deleted an upload',
  'notices.update': 'Changed which e-mails you get',
  'notices.unsubscribe': 'Unsubscribed from an e-mail (the link in a notice)',
};

/** One event as a line a patient reads; unknown actions read as they are. */
export function auditEventText(action: string, target: string | null): string {
  if (action === 'export.read') return (target && EXPORTS[target]) ?? (target?.startsWith('request-letter:') ? 'Downloaded a records-request letter' : 'Downloaded a copy');
  if (action === 'record.read') {
    if (target && READS[target]) return READS[target];
    if (target?.startsWith('record:')) return `Opened the binder's ${target.slice('record:'.length).replace(/-/g, ' ')}`;
    if (target?.startsWith('entry:')) return 'Opened one of your own entries';
    return 'Opened the binder';
  }
  return ACTIONS[action] ?? action;
}

/** True for the events a patient should look at twice: failures and reads by someone else. */
export function isNotable(action: string): boolean {
  return action === 'sign-in.failed' || action === 'sign-in.held-back' || action === 'share.read' || action === 'share.read-refused';
}
