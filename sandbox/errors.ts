// The two error shapes a hospital answers with: RFC 6749 §5.2 JSON for the OAuth endpoints,
// OperationOutcome for the FHIR API. Routes throw these; one error handler renders them.
import type { OperationOutcome } from 'fhir/r4.js';

export type IssueCode = OperationOutcome['issue'][number]['code'];

export class OAuthError extends Error {
  override readonly name = 'OAuthError';

  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`${error}: ${description}`);
  }

  body(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export class FhirError extends Error {
  override readonly name = 'FhirError';

  constructor(
    readonly status: number,
    readonly code: IssueCode,
    readonly diagnostics: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(diagnostics);
  }

  outcome(): OperationOutcome {
    return operationOutcome(this.status >= 500 ? 'fatal' : 'error', this.code, this.diagnostics);
  }
}

export function operationOutcome(
  severity: OperationOutcome['issue'][number]['severity'],
  code: IssueCode,
  diagnostics: string,
): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] };
}

export const notFound = (what: string): FhirError => new FhirError(404, 'not-found', `${what} is not known`);
export const badRequest = (diagnostics: string): FhirError => new FhirError(400, 'invalid', diagnostics);
export const forbidden = (diagnostics: string): FhirError =>
  new FhirError(403, 'forbidden', diagnostics, {
    'www-authenticate': `Bearer error="insufficient_scope", error_description="${diagnostics}"`,
  });
