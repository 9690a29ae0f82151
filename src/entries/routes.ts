// The patient's own entries: POST/GET/PUT/DELETE /api/entries. A medicine or supplement, a side
// effect, a health problem, a vaccine or a test result, sent as a FHIR resource, checked (the
// contract's schema, then the same validation as a portal's resource), given the patient as its
// subject and source and the patient-entered tag, and filed like any record under the source
// "Entered by you".
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Entry, EntryInput, EntryList, EntryParams } from '../api/entries.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import { requireAccount } from '../plugins/auth.js';
import { PATIENT_ENTERED_SOURCE_NAME, type EntryType } from '../records/patient-entered.js';
import { validateEntry } from '../sync/validate.js';
import { createEntryRepository, type StoredEntry } from './repository.js';
import { buildEntryResource, ENTRIES_PATIENT_ID, InvalidEntryError } from './resource.js';

function view(entry: StoredEntry): Entry {
  return {
    id: entry.id,
    recordId: entry.recordId,
    resourceType: entry.resourceType as EntryType,
    resource: entry.resource,
    title: entry.title,
    date: entry.date,
    categories: entry.categories,
    source: PATIENT_ENTERED_SOURCE_NAME,
    createdAt: entry.createdAt.toISOString(),
    updatedAt: entry.updatedAt.toISOString(),
  };
}

export const entryRoutes: FastifyPluginAsyncZod = async (app) => {
  const entries = createEntryRepository(app.db);

  /** The stored resource, or 400 with what is wrong with it. */
  function prepare(input: EntryInput, id: string, previous: Record<string, unknown> | null) {
    let resource;
    try {
      resource = buildEntryResource(input, { id, now: new Date(), previous });
    } catch (error) {
      if (error instanceof InvalidEntryError) throw new BadRequestError(error.message);
      throw error;
    }
    const verdict = validateEntry(resource, ENTRIES_PATIENT_ID);
    if (verdict.kind !== 'accept') throw new BadRequestError(verdict.kind === 'reject' ? `The entry cannot be kept: ${verdict.detail}.` : verdict.message);
    return verdict;
  }

  app.post(
    '/api/entries',
    {
      schema: {
        tags: ['entries'],
        summary: 'Add an entry of your own (MedicationStatement, AdverseEvent, Condition, Immunization or Observation); filed under "Entered by you"',
        body: EntryInput,
        response: { 201: Entry },
      },
    },
    async (request, reply) => {
      const account = requireAccount(request);
      const verdict = prepare(request.body, randomUUID(), null);
      const saved = await entries.save(account.id, verdict.resource, verdict.json);
      request.log.info({ entryId: saved.id, resourceType: saved.resourceType }, 'entry added');
      return reply.code(201).header('location', `/api/entries/${saved.id}`).send(view(saved));
    },
  );

  app.get(
    '/api/entries',
    { schema: { tags: ['entries'], summary: 'Your own entries, newest first', response: { 200: EntryList } } },
    async (request) => {
      const list = await entries.list(requireAccount(request).id);
      await app.audit.record(request, 'record.read', 'entries');
      return { entries: list.map(view) };
    },
  );

  app.get(
    '/api/entries/:id',
    { schema: { tags: ['entries'], summary: 'One of your entries', params: EntryParams, response: { 200: Entry } } },
    async (request) => {
      const entry = await entries.find(requireAccount(request).id, request.params.id);
      if (!entry) throw new NotFoundError('No such entry.');
      await app.audit.record(request, 'record.read', `entry:${entry.id}`);
      return view(entry);
    },
  );

  app.put(
    '/api/entries/:id',
    {
      schema: {
        tags: ['entries'],
        summary: 'Change one of your entries (the whole resource; its type stays). The earlier version is kept',
        params: EntryParams,
        body: EntryInput,
        response: { 200: Entry },
      },
    },
    async (request) => {
      const account = requireAccount(request);
      const stored = await entries.find(account.id, request.params.id);
      if (!stored) throw new NotFoundError('No such entry.');
      if (stored.resourceType !== request.body.resourceType) {
        throw new BadRequestError(`This entry is a ${stored.resourceType}; it cannot become a ${request.body.resourceType}. Delete it and add a new one.`);
      }
      const verdict = prepare(request.body, stored.id, stored.resource);
      return view(await entries.save(account.id, verdict.resource, verdict.json));
    },
  );

  app.delete(
    '/api/entries/:id',
    { schema: { tags: ['entries'], summary: 'Delete one of your entries', params: EntryParams, response: { 204: z.null() } } },
    async (request, reply) => {
      if (!(await entries.delete(requireAccount(request).id, request.params.id))) throw new NotFoundError('No such entry.');
      return reply.code(204).send(null);
    },
  );
};
