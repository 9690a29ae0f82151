// Pure helpers of the "Export & share" page: expiry presets, byte sizes, a share's state in words.
// Unit-tested in Node.
import type { ShareContent, ShareState } from './types.js';

export const EXPIRY_PRESETS = [
  { id: '1d', label: '1 day', ms: 86_400_000 },
  { id: '7d', label: '1 week', ms: 7 * 86_400_000 },
  { id: '30d', label: '30 days', ms: 30 * 86_400_000 },
  { id: '90d', label: '3 months', ms: 90 * 86_400_000 },
  { id: '365d', label: '1 year', ms: 365 * 86_400_000 },
] as const;
export type ExpiryPreset = (typeof EXPIRY_PRESETS)[number]['id'];
export const DEFAULT_EXPIRY: ExpiryPreset = '7d';

/** When a link made now with this preset stops working (ISO). */
export function expiryFor(preset: string, now: Date): string {
  const found = EXPIRY_PRESETS.find((p) => p.id === preset) ?? EXPIRY_PRESETS.find((p) => p.id === DEFAULT_EXPIRY)!;
  return new Date(now.getTime() + found.ms).toISOString();
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

export const STATE_LABEL: Record<ShareState, string> = {
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
  locked: 'Locked (too many wrong passcodes)',
};

export const CONTENT_LABEL: Record<ShareContent, string> = {
  ips: 'Summary (IPS)',
  pdf: 'Binder PDF',
  bundle: 'Complete record',
};
