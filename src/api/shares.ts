// SMART Health Links: a patient shares a snapshot (IPS, binder PDF, complete Bundle) through a link
// that holds the decryption key. The owner's routes (/api/shares) and the recipient's (the manifest
// and file locations under /api/shl, no session, as the SHL protocol defines them).
import { z } from 'zod';

export const SHARE_CONTENTS = ['ips', 'pdf', 'bundle'] as const;
export const SHARE_STATES = ['active', 'expired', 'revoked', 'locked'] as const;
export const SHARE_ACCESS_OUTCOMES = ['served', 'wrong-passcode', 'locked'] as const;
/** Wrong passcodes a link takes before it is disabled for good. */
export const SHARE_PASSCODE_ATTEMPTS = 10;
/** The longest a link may live. */
export const SHARE_MAX_DAYS = 365;

export const ShareContent = z.enum(SHARE_CONTENTS).describe('ips: the International Patient Summary; pdf: the binder PDF (in a DocumentReference); bundle: every record and document');

export const CreateShareBody = z.object({
  label: z.string().trim().min(1).max(80).describe('shown to the recipient by SHL apps, at most 80 characters'),
  passcode: z.string().min(4).max(200).optional().describe('asked of the recipient; 10 wrong tries disable the link'),
  expiresAt: z.iso.datetime({ offset: true }).describe(`when the link stops working: in the future, at most ${SHARE_MAX_DAYS} days away`),
  contents: z.array(ShareContent).min(1).max(SHARE_CONTENTS.length),
});

export const ShareCreated = z
  .object({
    id: z.uuid(),
    link: z.string().describe('shlink:/… the link, with the decryption key in it: shown this once, never stored'),
    viewerUrl: z.string().describe("the built-in viewer's address with the link in its fragment"),
    qrPng: z.string().describe('a QR code of viewerUrl, as a data: URL (image/png)'),
    expiresAt: z.iso.datetime(),
  })
  .describe('A new share. The key exists only in link, viewerUrl and qrPng');

export const Share = z.object({
  id: z.uuid(),
  label: z.string(),
  contents: z.array(ShareContent),
  passcode: z.boolean().describe('whether a passcode is asked'),
  state: z.enum(SHARE_STATES),
  attemptsLeft: z.int().describe('wrong passcodes left before the link is locked'),
  expiresAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().nullable(),
  accessCount: z.int(),
  lastAccessAt: z.iso.datetime().nullable(),
});

export const ShareAccess = z.object({
  at: z.iso.datetime(),
  recipient: z.string().describe('who the recipient said they are'),
  address: z.string().describe('the address the request came from'),
  outcome: z.enum(SHARE_ACCESS_OUTCOMES),
});

export const ShareDetail = Share.extend({ accesses: z.array(ShareAccess).describe('newest first') });
export const ShareList = z.object({ shares: z.array(Share) });
export const ShareParams = z.object({ id: z.uuid() });

export const ShlManifestParams = z.object({ manifestId: z.string().max(100) });
export const ShlFileParams = z.object({ token: z.string().max(100) });

export const ShlManifestRequest = z.object({
  recipient: z.string().min(1).max(500).describe('who is asking, e.g. "Dr. Lee, City Oncology"'),
  passcode: z.string().max(200).optional(),
  embeddedLengthMax: z.int().min(0).optional().describe('files whose JWE is at most this long come embedded'),
});

export const ShlManifest = z.object({
  files: z.array(
    z.object({
      contentType: z.string(),
      location: z.string().optional().describe('GET it within the hour: a compact JWE (application/jose)'),
      embedded: z.string().optional().describe('the compact JWE itself'),
    }),
  ),
});

export type ShareContent = z.infer<typeof ShareContent>;
export type ShareState = (typeof SHARE_STATES)[number];
export type CreateShareBody = z.infer<typeof CreateShareBody>;
export type ShareCreated = z.infer<typeof ShareCreated>;
export type Share = z.infer<typeof Share>;
export type ShareAccess = z.infer<typeof ShareAccess>;
export type ShareDetail = z.infer<typeof ShareDetail>;
export type ShareList = z.infer<typeof ShareList>;
export type ShlManifestRequest = z.infer<typeof ShlManifestRequest>;
export type ShlManifest = z.infer<typeof ShlManifest>;
