// The portal catalog, linking (SMART standalone launch) and the patient's links.
import { z } from 'zod';

export const PortalBrand = z.object({
  logoUrl: z.string().optional(),
  portalUrl: z.string().optional(),
  portalName: z.string().optional(),
  description: z.string().optional(),
});

export const Portal = z.object({ id: z.string(), name: z.string(), fhirBaseUrl: z.string(), brand: PortalBrand });
export const PortalList = z.object({ portals: z.array(Portal) });

export const LINK_STATUSES = ['active', 'syncing', 'needs-relink', 'error'] as const;

export const Link = z.object({
  id: z.uuid(),
  portal: z.object({ id: z.string(), name: z.string() }),
  portalPatientId: z.string(),
  status: z.enum(LINK_STATUSES),
  statusReason: z.string().nullable(),
  grantedScopes: z.array(z.string()),
  lastSync: z.object({ startedAt: z.iso.datetime().nullable(), finishedAt: z.iso.datetime().nullable(), state: z.string().nullable() }),
  accessTokenExpiresAt: z.iso.datetime().nullable(),
  refreshTokenExpiresAt: z.iso.datetime().nullable(),
  hasRefreshToken: z.boolean(),
  createdAt: z.iso.datetime(),
});
export const LinkList = z.object({ links: z.array(Link) });

export const LinkParams = z.object({ id: z.uuid() });
export const StartLink = z.object({ portalId: z.string().min(1).max(64) });
export const LinkStarted = z.object({ authorizeUrl: z.string(), expiresInSeconds: z.int() });
export const UnlinkQuery = z.object({ deleteRecords: z.enum(['true', 'false']).default('false') });

/** The SMART redirect URI's query (RFC 6749 §4.1.2, RFC 9207); the answer is a 303 to the web client. */
export const SmartCallbackQuery = z.object({
  state: z.string().max(512).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
  // RFC 9207: the issuer identifier of the server that answered.
  iss: z.string().max(2048).optional(),
});

export type PortalBrand = z.infer<typeof PortalBrand>;
export type Portal = z.infer<typeof Portal>;
export type PortalList = z.infer<typeof PortalList>;
export type LinkStatus = (typeof LINK_STATUSES)[number];
export type Link = z.infer<typeof Link>;
export type LinkList = z.infer<typeof LinkList>;
export type LinkStarted = z.infer<typeof LinkStarted>;
