// What is missing and records requests: GET /api/checklist; the patient's details a letter states
// (GET /api/me/details, PATCH /api/me); requests to a provider (POST/GET /api/requests, GET/PATCH
// /api/requests/:id) and their letter (GET /api/requests/:id/letter.pdf).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Checklist } from '../api/checklist.js';
import {
  NewRecordsRequest,
  PatientDetails as PatientDetailsAnswer,
  PatientDetailsUpdate,
  RecordsRequest as RecordsRequestAnswer,
  RecordsRequestCreated,
  RecordsRequestList,
  RecordsRequestParams,
  RecordsRequestUpdate,
} from '../api/requests.js';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import { requireAccount } from '../plugins/auth.js';
import { buildChecklist } from './checklist.js';
import { askedFor, renderLetterPdf } from './letter-pdf.js';
import { letterDetails, patientDetails, savePatientDetails } from './patient-details.js';
import { canMove, createRequestRepository, dueAt, isOverdue, type RecordsRequest, type RequestGap } from './repository.js';

function view(request: RecordsRequest, now = new Date()): RecordsRequestAnswer {
  const asked = askedFor(request);
  return {
    id: request.id,
    status: request.status,
    organization: request.organization,
    categories: request.categories,
    gaps: request.gaps,
    askedFor: [...asked.categories, ...asked.events],
    from: request.from,
    to: request.to,
    delivery: request.delivery,
    createdAt: request.createdAt.toISOString(),
    sentAt: request.sentAt?.toISOString() ?? null,
    dueAt: dueAt(request)?.toISOString() ?? null,
    overdue: isOverdue(request, now),
    receivedAt: request.receivedAt?.toISOString() ?? null,
    cancelledAt: request.cancelledAt?.toISOString() ?? null,
  };
}

/** "acme-clinic" for a file name. */
function slug(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, '')
      .trim()
      .toLowerCase()
      .replace(/[\s_-]+/g, '-')
      .slice(0, 60) || 'provider'
  );
}

export const requestRoutes: FastifyPluginAsyncZod = async (app) => {
  const requests = createRequestRepository(app.db);

  const ownRequest = async (request: { params: { id: string }; account: Parameters<typeof requireAccount>[0]['account'] }) => {
    const found = await requests.findForAccount(request.params.id, requireAccount(request).id);
    if (!found) throw new NotFoundError('No such records request.');
    return found;
  };

  app.get(
    '/api/checklist',
    {
      schema: {
        tags: ['requests'],
        summary:
          "What is missing: each leaflet category (have, missing, incomplete) and the events whose record is absent (an operation without its report, a hospital stay without a discharge summary, a biopsy without pathology, an imaging exam without a report, a radiation course without a summary), with the organization to ask",
        response: { 200: Checklist },
      },
    },
    async (request) => {
      const account = requireAccount(request);
      const checklist = await buildChecklist(app.db, account.id, account.binderVersion);
      await app.audit.record(request, 'record.read', 'checklist');
      return checklist;
    },
  );

  app.get(
    '/api/me/details',
    { schema: { tags: ['requests'], summary: "The patient's details for a records request: saved, proposed from the linked portals, and the medical record numbers they gave", response: { 200: PatientDetailsAnswer } } },
    async (request) => {
      const details = await patientDetails(app.db, requireAccount(request).id);
      await app.audit.record(request, 'record.read', 'details');
      return details;
    },
  );

  app.patch(
    '/api/me',
    {
      schema: {
        tags: ['requests'],
        summary: "Save the patient's details a records request states (name, birthDate, address, phone; null clears one). Answers as GET /api/me/details",
        body: PatientDetailsUpdate,
        response: { 200: PatientDetailsAnswer },
      },
    },
    async (request) => {
      const account = requireAccount(request);
      await savePatientDetails(app.db, account.id, request.body);
      return patientDetails(app.db, account.id);
    },
  );

  app.post(
    '/api/requests',
    {
      schema: {
        tags: ['requests'],
        summary: 'Make a records request (a draft) to one provider: categories and/or gaps from GET /api/checklist, a date range, the form wanted',
        body: NewRecordsRequest,
        response: { 201: RecordsRequestCreated },
      },
    },
    async (request, reply) => {
      const account = requireAccount(request);
      const body = request.body;
      let gaps: RequestGap[] = [];
      const gapIds = [...new Set(body.gapIds ?? [])];
      if (gapIds.length) {
        const checklist = await buildChecklist(app.db, account.id, account.binderVersion);
        const byId = new Map(checklist.gaps.map((gap) => [gap.id, gap]));
        const unknown = gapIds.filter((id) => !byId.has(id));
        if (unknown.length) throw new BadRequestError(`Not a gap of your checklist: ${unknown.join(', ')}. GET /api/checklist lists them.`);
        gaps = gapIds.map((id) => {
          const { organization: _organization, ...gap } = byId.get(id)!;
          return gap;
        });
      }
      const created = await requests.create({
        accountId: account.id,
        organization: body.organization,
        categories: [...new Set(body.categories)],
        gaps,
        from: body.from ?? null,
        to: body.to ?? null,
        delivery: body.delivery,
      });
      request.log.info({ requestId: created.id, categories: created.categories.length, gaps: created.gaps.length }, 'records request made');
      return reply.code(201).send({ id: created.id, status: 'draft' as const });
    },
  );

  app.get(
    '/api/requests',
    { schema: { tags: ['requests'], summary: "The patient's records requests, newest first; a sent one is due 30 days later (overdue after)", response: { 200: RecordsRequestList } } },
    async (request) => ({ requests: (await requests.listForAccount(requireAccount(request).id)).map((found) => view(found)) }),
  );

  app.get(
    '/api/requests/:id',
    { schema: { tags: ['requests'], summary: 'One records request', params: RecordsRequestParams, response: { 200: RecordsRequestAnswer } } },
    async (request) => view(await ownRequest(request)),
  );

  app.patch(
    '/api/requests/:id',
    {
      schema: {
        tags: ['requests'],
        summary: 'Mark a request sent (optionally when: sentAt), received or cancelled. A received or cancelled request is finished (409)',
        params: RecordsRequestParams,
        body: RecordsRequestUpdate,
        response: { 200: RecordsRequestAnswer },
      },
    },
    async (request) => {
      const account = requireAccount(request);
      const current = await ownRequest(request);
      const { status, sentAt } = request.body;
      if (sentAt !== undefined && status !== 'sent') throw new BadRequestError('"sentAt" goes with status "sent" only.');
      const now = new Date();
      const at = sentAt === undefined ? now : new Date(sentAt);
      if (at.getTime() > now.getTime() + 60_000) throw new BadRequestError('"sentAt" is in the future.');
      if (!canMove(current.status, status)) throw new ConflictError(`This request is ${current.status}; it cannot be marked ${status}.`);
      const moved = await requests.move(current.id, account.id, current.status, status, at);
      if (!moved) throw new ConflictError('The request changed meanwhile; reload it and try again.');
      return view(moved, now);
    },
  );

  app.get(
    '/api/requests/:id/letter.pdf',
    {
      schema: {
        tags: ['requests'],
        summary:
          "The request as a letter (PDF) in the patient's voice under the HIPAA right of access (45 CFR 164.524): the patient's details and record numbers, the records asked for, the dates, the form wanted, the 30-day limit and cost-based fee, a signature line",
        params: RecordsRequestParams,
      },
    },
    async (request, reply) => {
      const found = await ownRequest(request);
      const details = letterDetails(await patientDetails(app.db, found.accountId));
      const pdf = await renderLetterPdf(found, details);
      await app.audit.record(request, 'export.read', `request-letter:${found.id}`);
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="records-request-${slug(found.organization.name)}.pdf"`)
        .send(pdf);
    },
  );
};
