// Errors from the API are application/problem+json; anything else (a proxy's HTML page, an empty body)
// still needs a sentence a person can read. Pure: unit-tested in Node.
import type { Problem } from './types.js';

export function readProblem(status: number, statusText: string, contentType: string | null, body: string): Problem {
  if (contentType && /json/i.test(contentType)) {
    try {
      const parsed = JSON.parse(body) as unknown;
      if (parsed && typeof parsed === 'object') {
        const p = parsed as Record<string, unknown>;
        const detail = typeof p.detail === 'string' && p.detail ? p.detail : undefined;
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
