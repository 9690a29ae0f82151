// One error format for every error: application/problem+json with status, title and detail.
// 5xx bodies never carry internals (stack, SQL, portal payloads); the log gets the whole error.
import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, TooManyRequestsError, problem, type ProblemBody } from '../errors.js';

export function sendProblem(reply: FastifyReply, body: ProblemBody): FastifyReply {
  return reply.code(body.status).type('application/problem+json').send(body);
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
    409: 'Conflict',
    413: 'Content Too Large',
    415: 'Unsupported Media Type',
    429: 'Too Many Requests',
  };
  return titles[status] ?? 'Request Error';
}
