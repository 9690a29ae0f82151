// One error format for every error: application/problem+json with status, title and detail.
// 5xx bodies never carry internals (stack, SQL, portal payloads); the log gets the whole error.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import pg from 'pg';
import { AppError, TooManyRequestsError, problem, type ProblemBody } from '../errors.js';

export function sendProblem(reply: FastifyReply, body: ProblemBody): FastifyReply {
  return reply.code(body.status).type('application/problem+json').send(body);
}

/**
 * The SQLSTATE of a PostgreSQL "data exception" (class 22: invalid text representation, character
 * not in repertoire, value out of range, ...) anywhere in the error's cause chain, else null.
 * Such an error is about a value, and every value comes from the request: a 400, not a 500.
 */
export function dataExceptionCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof pg.DatabaseError && typeof current.code === 'string' && current.code.startsWith('22')) return current.code;
    current = current.cause;
  }
  return null;
}

/**
 * Fastify's answers from the router, before any hook runs (FST_ERR_BAD_URL 400, FST_ERR_MAX_PARAM_LENGTH
 * 414): the same problem+json as everything else (Fastify's option `frameworkErrors`).
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
  if (status >= 500) {
    request.log.error({ err: error }, 'request failed before routing');
    void sendProblem(reply, problem(status, titleFor(status), 'Something went wrong on our side. It has been logged.'));
    return;
  }
  const detail =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'A part of the path is longer than any carebinder id or name (at most 100 characters).'
      : error.code === 'FST_ERR_BAD_URL'
        ? 'The path is not valid percent-encoded UTF-8.'
        : 'The request could not be routed.';
  void sendProblem(reply, problem(status, titleFor(status), detail));
}

/**
 * Answers for requests Node's HTTP parser refuses before Fastify sees them (Fastify's option
 * `clientErrorHandler`): headers or request line too large (431), a timed-out request (408),
 * anything unparseable (400), all as problem+json. A reset connection gets nothing.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'The request line and headers together are larger than carebinder accepts (16 KB).']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request took too long to arrive.']
        : [400, 'The request is not valid HTTP.'];
  const body = JSON.stringify(problem(status, titleFor(status), detail));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof AppError) {
        if (error.status >= 500) request.log.error({ err: error }, error.message);
        if (error instanceof TooManyRequestsError) reply.header('retry-after', String(error.retryAfterSeconds));
        return sendProblem(reply, error.toProblem());
      }
      if (hasZodFastifySchemaValidationErrors(error)) {
        const errors = error.validation.map((issue) => ({
          path: `${error.validationContext ?? 'body'}${issue.instancePath.replaceAll('/', '.')}`,
          message: issue.message ?? 'is invalid',
        }));
        const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
        return sendProblem(reply, { ...problem(400, 'Bad Request', detail), errors });
      }
      const dataException = dataExceptionCode(error);
      if (dataException !== null) {
        // A value no edge check caught (e.g. a malformed uuid): the client's input, not a fault here.
        // No stack and no value in the log (values may be PHI): the code and the route say enough.
        request.log.warn({ sqlState: dataException, route: request.routeOptions.url }, 'request refused: the database cannot take a value in it');
        return sendProblem(reply, problem(400, 'Bad Request', 'A value in the request is not valid for what it names (a malformed id, date or number, or text that cannot be stored).'));
      }
      const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
      if (status >= 500) {
        request.log.error({ err: error }, 'request failed');
        return sendProblem(reply, problem(status, 'Internal Server Error', 'Something went wrong on our side. It has been logged.'));
      }
      // Fastify's own 4xx (malformed JSON, body too large, unsupported media type, rate limit):
      // their messages are written for clients and safe to show.
      return sendProblem(reply, problem(status, titleFor(status), error.message));
    });

    app.setNotFoundHandler((request, reply) =>
      sendProblem(reply, problem(404, 'Not Found', `No route for ${request.method} ${request.url.split('?')[0]}`)),
    );
  },
  { name: 'errors' },
);

function titleFor(status: number): string {
  const titles: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    406: 'Not Acceptable',
    408: 'Request Timeout',
    409: 'Conflict',
    413: 'Content Too Large',
    414: 'URI Too Long',
    415: 'Unsupported Media Type',
    429: 'Too Many Requests',
    431: 'Request Header Fields Too Large',
    500: 'Internal Server Error',
  };
  return titles[status] ?? (status >= 500 ? 'Server Error' : 'Request Error');
}
