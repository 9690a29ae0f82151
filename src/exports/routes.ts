// The copies a patient takes out: the complete Bundle, the zip, the IPS and the binder PDF.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ExportSizes } from '../api/exports.js';
import { BadRequestError } from '../errors.js';
import { requireAccount } from '../plugins/auth.js';
import { CATEGORY_IDS, isCategoryId } from '../records/categories.js';
import { binderPdfStream } from './binder-pdf.js';
import { completeBundleStream } from './bundle.js';
import { buildIps } from './ips.js';
import { exportSizes } from './sizes.js';
import { exportZipStream } from './zip.js';

export const exportRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/record/exports',
    {
      schema: {
        tags: ['exports'],
        summary: 'How many records and documents the downloads hold and about how big each is (the IPS exact, the others estimated without making them)',
        response: { 200: ExportSizes },
      },
    },
    async (request) => exportSizes(app.db, requireAccount(request).id),
  );

  app.get(
    '/api/record/export.json',
    {
      schema: {
        tags: ['exports'],
        summary:
          "Every stored resource and every fetched document of the patient as one FHIR R4 Bundle (type collection), streamed. Documents are Binary entries; attachment urls point at them, the portal's URL kept in an extension",
      },
    },
    async (request, reply) => {
      const account = requireAccount(request);
      await app.audit.record(request, 'export.read', 'export:json');
      return reply
        .type('application/fhir+json')
        .header('content-disposition', 'attachment; filename="carebinder.json"')
        .send(completeBundleStream(app.db, account.id));
    },
  );

  app.get(
    '/api/record/export.zip',
    {
      schema: {
        tags: ['exports'],
        summary: 'A zip to keep: carebinder.json (the complete Bundle), the documents as files by category, and an index.html that opens offline',
      },
    },
    async (request, reply) => {
      const account = requireAccount(request);
      await app.audit.record(request, 'export.read', 'export:zip');
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="carebinder-${new Date().toISOString().slice(0, 10)}.zip"`)
        .send(exportZipStream(app.db, account.id));
    },
  );

  app.get(
    '/api/record/ips.json',
    {
      schema: {
        tags: ['exports'],
        summary:
          "An International Patient Summary (HL7 IPS): a FHIR document Bundle, the Composition first, one Patient merged from the portals' Patients, and the binder's records, de-duplicated, in the IPS sections",
      },
    },
    async (request, reply) => {
      const account = requireAccount(request);
      const bundle = await buildIps(app.db, account.id);
      await app.audit.record(request, 'export.read', 'export:ips');
      return reply.type('application/fhir+json').header('content-disposition', 'attachment; filename="ips.json"').send(JSON.stringify(bundle));
    },
  );

  app.get(
    '/api/record/binder.pdf',
    {
      schema: {
        tags: ['exports'],
        summary:
          'The printable binder (PDF): cover, contents, treatment summary, the 11 categories with every item and every attached document in place (PDF pages merged, text, images); the patient and "page x of y" on every page',
        querystring: z.object({
          portal: z.string().max(64).optional().describe('only records from this portal id'),
          from: z.iso.date().optional().describe('only records dated on or after this day (YYYY-MM-DD)'),
          to: z.iso.date().optional().describe('only records dated on or before this day (YYYY-MM-DD)'),
          categories: z.string().max(1000).optional().describe(`comma-separated category ids: ${CATEGORY_IDS.join(', ')}`),
        }),
      },
    },
    async (request, reply) => {
      const account = requireAccount(request);
      const { portal, from, to } = request.query;
      if (from && to && from > to) throw new BadRequestError('"from" is after "to".');
      const categories = request.query.categories?.split(',').map((c) => c.trim()).filter(Boolean);
      const unknown = categories?.filter((c) => !isCategoryId(c)) ?? [];
      if (unknown.length) throw new BadRequestError(`Unknown categories: ${unknown.join(', ')}. Categories: ${CATEGORY_IDS.join(', ')}.`);
      await app.audit.record(request, 'export.read', 'export:pdf');
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="binder-${new Date().toISOString().slice(0, 10)}.pdf"`)
        .send(binderPdfStream(app.db, account.id, { portal, from, to, categories: categories?.filter(isCategoryId) }));
    },
  );
};
