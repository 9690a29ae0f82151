// One sandbox hospital: a Fastify server on its own port with the FHIR API under /fhir,
// the authorization server under /oauth and the sandbox controls under /admin.
import { setTimeout as sleep } from 'node:timers/promises';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type onRequestAsyncHookHandler } from 'fastify';
import { ZodError } from 'zod';
import { createHospitalAdmin, registerAdminRoutes, type HospitalAdmin } from './admin.js';
import type { HospitalConfig } from './config.js';
import { loadHospitalData } from './data-loader.js';
import { FhirError, OAuthError, operationOutcome } from './errors.js';
import { FHIR_JSON, registerFhirRoutes } from './fhir/routes.js';
import { HospitalContext } from './hospital-context.js';
import { registerOAuthRoutes } from './oauth/routes.js';
import { StoreError } from './store.js';

export interface RunningHospital {
  readonly context: HospitalContext;
  readonly admin: HospitalAdmin;
  close(): Promise<void>;
}

export interface StartHospitalOptions {
  readonly host: string;
  /** Listen on a free port instead of the configured one. */
  readonly ephemeralPort: boolean;
}

export async function startHospital(config: HospitalConfig, options: StartHospitalOptions): Promise<RunningHospital> {
  const context = new HospitalContext(config);
  const admin = createHospitalAdmin(context);
  const app = await buildHospitalApp(context, admin);
  try {
    await app.listen({ host: options.host, port: options.ephemeralPort ? 0 : config.port });
    context.setOrigin(originOf(app, options.host));
    // Data is loaded once the origin is known: attachment URLs are absolute.
    await loadHospitalData(context);
  } catch (error) {
    await app.close();
    throw error;
  }
  return { context, admin, close: () => app.close() };
}

async function buildHospitalApp(context: HospitalContext, admin: HospitalAdmin): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 10 * 1024 * 1024 });
  await app.register(formbody);
  app.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  app.addHook('onRequest', async (request, reply) => {
    allowCrossOrigin(reply);
    if (!context.listening) throw new FhirError(503, 'transient', 'The hospital is starting');
    if (request.url.startsWith('/fhir/')) context.faults.countFhirRequest();
    if (!isAdmin(request) && context.faults.latencyMs() > 0) await sleep(context.faults.latencyMs());
  });
  app.options('*', async (_request, reply) => reply.code(204).send());
  app.setErrorHandler(renderError);
  app.setNotFoundHandler(async (request, reply) => {
    if (request.url.startsWith('/fhir/')) {
      return reply.code(404).type(FHIR_JSON).send(operationOutcome('error', 'not-found', `No route for ${request.method} ${request.url}`));
    }
    return reply.code(404).send({ error: 'not_found' });
  });

  registerOAuthRoutes(app, context);
  registerFhirRoutes(app, context, requestFaultHook(context));
  if (context.config.adminRoutes) registerAdminRoutes(app, admin);
  return app;
}

/** Request-level faults for FHIR data requests: they happen before authentication, as at a gateway. */
function requestFaultHook(context: HospitalContext): onRequestAsyncHookHandler {
  return async (request, reply) => {
    const fault = context.faults.nextDataRequest();
    switch (fault.kind) {
      case 'none':
        return;
      case 'reset':
        // Nothing is written: the client sees the connection drop (ECONNRESET / "socket hang up").
        reply.hijack();
        request.raw.socket.resetAndDestroy();
        return;
      case 'rate-limit':
        throw new FhirError(429, 'throttled', 'Too many requests; retry later', {
          'retry-after': String(fault.retryAfterSeconds),
        });
      case 'error':
        throw new FhirError(fault.status, 'transient', `Service temporarily failing (HTTP ${fault.status})`, {
          ...(fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) }),
        });
    }
  };
}

/** One place that turns errors into answers: OAuth JSON, OperationOutcome or admin JSON by path. */
function renderError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof OAuthError) {
    return reply.code(error.status).headers(error.headers).header('cache-control', 'no-store').send(error.body());
  }
  if (error instanceof FhirError) {
    return reply.code(error.status).headers(error.headers).type(FHIR_JSON).send(error.outcome());
  }
  const clientError = error instanceof ZodError || error instanceof StoreError;
  const status = clientError ? 400 : statusOf(error);
  const message = status >= 500 ? 'Internal error' : error instanceof ZodError ? 'Invalid request body' : error.message;
  if (status >= 500) request.log.error(error);
  if (request.url.startsWith('/oauth/')) return reply.code(status).send({ error: status >= 500 ? 'server_error' : 'invalid_request', error_description: message });
  if (request.url.startsWith('/fhir/')) {
    return reply.code(status).type(FHIR_JSON).send(operationOutcome(status >= 500 ? 'fatal' : 'error', status >= 500 ? 'exception' : 'invalid', message));
  }
  return reply.code(status).send({ error: message, ...(error instanceof ZodError ? { issues: error.issues } : {}) });
}

function statusOf(error: FastifyError | Error): number {
  const status = 'statusCode' in error ? error.statusCode : undefined;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

/** Browser-based SMART apps call the FHIR API and token endpoint cross-origin. */
function allowCrossOrigin(reply: FastifyReply): void {
  reply
    .header('access-control-allow-origin', '*')
    .header('access-control-allow-headers', 'authorization, content-type, accept, prefer')
    .header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS')
    .header('access-control-expose-headers', 'location, retry-after, www-authenticate, etag, last-modified');
}

function isAdmin(request: FastifyRequest): boolean {
  return request.url.startsWith('/admin/');
}

function originOf(app: FastifyInstance, host: string): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the hospital server has no TCP address');
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shownHost}:${address.port}`;
}
