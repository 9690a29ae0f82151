// Typed errors, one per kind of failure a caller can act on. The HTTP layer turns each
// into an application/problem+json body (RFC 9457); workers turn them into a failed job's reason.

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Field-level details for validation failures. */
  errors?: Array<{ path: string; message: string }>;
  /** RFC 9457 extension members, e.g. the checks of a readiness probe. */
  [extension: string]: unknown;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  readonly errors?: ProblemBody['errors'];

  constructor(detail: string, options?: { cause?: unknown; errors?: ProblemBody['errors'] }) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.errors) this.errors = options.errors;
  }

  toProblem(): ProblemBody {
    return {
      type: 'about:blank',
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export class BadRequestError extends AppError {
  readonly status = 400;
  readonly title = 'Bad Request';
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly title = 'Unauthorized';
}

/** A SMART Health Link's passcode was missing or wrong: the answer says how many tries are left. */
export class PasscodeError extends UnauthorizedError {
  constructor(
    detail: string,
    readonly remainingAttempts: number,
  ) {
    super(detail);
  }

  override toProblem(): ProblemBody {
    return { ...super.toProblem(), remainingAttempts: this.remainingAttempts };
  }
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly title = 'Forbidden';
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly title = 'Not Found';
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly title = 'Conflict';
}

export class ContentTooLargeError extends AppError {
  readonly status = 413;
  readonly title = 'Content Too Large';
}

export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly title = 'Unsupported Media Type';
}

export class TooManyRequestsError extends AppError {
  readonly status = 429;
  readonly title = 'Too Many Requests';
  /** When to try again: also the Retry-After header, and `retryAt` in the problem body. */
  readonly retryAt: Date;
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
    now = new Date(),
  ) {
    super(detail);
    this.retryAt = new Date(now.getTime() + retryAfterSeconds * 1000);
  }

  override toProblem(): ProblemBody {
    return { ...super.toProblem(), retryAt: this.retryAt.toISOString() };
  }
}

/** A portal (another party's server) failed or answered something we cannot use. */
export class BadGatewayError extends AppError {
  readonly status = 502;
  readonly title = 'Bad Gateway';
}

export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly title = 'Service Unavailable';
}

export function problem(status: number, title: string, detail: string): ProblemBody {
  return { type: 'about:blank', title, status, detail };
}
