// E-mail notices: what the patient is mailed about, and the one-click unsubscribe.
import { z } from 'zod';

export const NoticePreferences = z
  .object({
    needsRelink: z.boolean().describe('a linked portal must be linked again'),
    accessExpiring: z.boolean().describe("a portal's access (consent, refresh token) ends within 14 days"),
    syncFailing: z.boolean().describe('records from a portal could not be collected three times in a row'),
    weeklyDigest: z.boolean().describe('once a week, how many new records were filed (no record content)'),
  })
  .describe('Which e-mail notices the account gets');

export const NotificationSettings = NoticePreferences.extend({
  mailEnabled: z.boolean().describe('false when this carebinder sends no e-mail at all (SMTP_URL unset)'),
});

export const UnsubscribeQuery = z.object({ token: z.string().max(200).describe('from the link in a notice') });

export type NoticePreferences = z.infer<typeof NoticePreferences>;
export type NotificationSettings = z.infer<typeof NotificationSettings>;
