// Errors from the API are application/problem+json; anything else (a proxy's HTML page, an empty body)
// still needs a sentence a person can read. Pure: unit-tested in Node.
import type { Problem } from './types.js';

export function readProblem(status: number, statusText: string, contentType: string | null, body: string): Problem {
  if (contentType && /json/i.test(contentType)) {
    try {
      const parsed = JSON.parse(body) as unknown;
      if (parsed && typeof parsed === 'object') {
        const p = parsed as Record<string, unknown>;
        const fields = fieldErrors(p.errors);
        const detail = fields ?? (typeof p.detail === 'string' && p.detail ? personalDetail(p.detail) : undefined);
        const title = typeof p.title === 'string' ? p.title : statusText;
        return {
          type: typeof p.type === 'string' ? p.type : 'about:blank',
          title,
          status: typeof p.status === 'number' ? p.status : status,
          detail: detail ?? fallbackDetail(status, title),
        };
      }
    } catch {
      // not JSON after all: fall through
    }
  }
  return { type: 'about:blank', title: statusText, status, detail: fallbackDetail(status, statusText) };
}

function fallbackDetail(status: number, statusText: string): string {
  if (status === 0) return 'Could not reach carebinder. Check your connection and try again.';
  if (status >= 500) return `carebinder could not answer (${status}${statusText ? ` ${statusText}` : ''}). Try again in a moment.`;
  return `The request was refused (${status}${statusText ? ` ${statusText}` : ''}).`;
}

/** Field names as the form labels them; any other name is turned into words ("portalId" → "Portal"). */
const FIELD_LABELS: Record<string, string> = {
  email: 'Email',
  password: 'Password',
  portalId: 'Portal',
  from: 'From',
  to: 'To',
  portal: 'Portal',
  deleteRecords: 'Delete records',
};

/** "body.password" → "Password"; "querystring.from" → "From"; "body.items.0.name" → "Name". */
export function fieldLabel(path: string): string {
  const parts = path.split('.').filter((part) => part && !/^\d+$/.test(part));
  const name = parts.length > 1 && /^(body|querystring|query|params|headers)$/.test(parts[0] ?? '') ? parts.slice(1) : parts;
  const last = name[name.length - 1];
  if (!last || /^(body|querystring|query|params|headers)$/.test(last)) return 'This form';
  const known = FIELD_LABELS[last];
  if (known) return known;
  const words = last.replace(/Id$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words ? words[0].toUpperCase() + words.slice(1) : 'This form';
}

/** A validation problem's `errors` ([{ path, message }]) as sentences: "Password: at least 10 characters." */
function fieldErrors(errors: unknown): string | undefined {
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const lines: string[] = [];
  for (const error of errors as unknown[]) {
    if (!error || typeof error !== 'object') return undefined;
    const { path, message } = error as Record<string, unknown>;
    if (typeof path !== 'string' || typeof message !== 'string') return undefined;
    const line = `${fieldLabel(path)}: ${message.trim().replace(/\.$/, '')}.`;
    if (!lines.includes(line)) lines.push(line);
  }
  return lines.join(' ');
}

/** A detail that names fields the way the server's validator does ("body.password: ...; body.email: ...") reworded for a person. */
export function personalDetail(detail: string): string {
  const parts = detail.split(/;\s+/);
  const pattern = /^((?:body|querystring|query|params|headers)(?:\.[\w-]+)*):\s*(.+)$/;
  if (!parts.every((part) => pattern.test(part))) return detail;
  return parts
    .map((part) => {
      const [, path = '', message = ''] = pattern.exec(part) ?? [];
      return `${fieldLabel(path)}: ${message.trim().replace(/\.$/, '')}.`;
    })
    .join(' ');
}

/** A Retry-After header (seconds, or an HTTP date) as seconds from now; null when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now: Date): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** "Try again in 14 minutes (at 19:42)." from a wait in seconds. */
export function tryAgainText(seconds: number, now: Date, locale?: string): string {
  const at = new Date(now.getTime() + seconds * 1000);
  const clock = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(at);
  if (seconds < 60) return `Try again in ${seconds <= 1 ? 'a second' : `${seconds} seconds`}.`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) return `Try again in ${minutes === 1 ? 'a minute' : `${minutes} minutes`} (at ${clock}).`;
  return `Try again after ${new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(at)}.`;
}

/** A refusal's words with "Try again later." replaced (or followed) by when to try again. */
export function withRetryTime(detail: string, seconds: number | null, now: Date, locale?: string): string {
  if (seconds === null) return detail;
  const when = tryAgainText(seconds, now, locale);
  const base = detail.replace(/\s*Try again later\.?\s*$/i, '').trim();
  return base ? `${base.replace(/([^.!?])$/, '$1.')} ${when}` : when;
}
