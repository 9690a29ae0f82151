// Uploads: a patient adds the copies a hospital handed over (C-CDA, FHIR JSON/NDJSON, PDF,
// images, text). The request only judges the file (size, kind by its bytes, well-formedness)
// and stores it; the upload job files it. A refused file stores nothing.
import { createHash } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { UploadAccepted, UploadList, UploadParams, Upload as UploadAnswer } from '../api/uploads.js';
import { BadRequestError, ContentTooLargeError, NotFoundError, ServiceUnavailableError, UnsupportedMediaTypeError } from '../errors.js';
import { enqueueUpload } from '../jobs/upload.js';
import { requireAccount } from '../plugins/auth.js';
import { CATEGORY_IDS, isCategoryId } from '../records/categories.js';
import { createUploadRepository, uploadSourceName, type Upload } from './repository.js';
import { MalformedFileError, sniffUpload, UnsupportedFileError } from './sniff.js';

export interface UploadRoutesOptions {
  maxBytes: number;
}

/** Room for the form's other fields and part headers around the file. */
const FORM_OVERHEAD_BYTES = 64 * 1024;
const PARTIAL_DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;

function view(upload: Upload): UploadAnswer {
  return {
    id: upload.id,
    fileName: upload.fileName,
    contentType: upload.contentType,
    size: upload.size,
    state: upload.state,
    resources: upload.resources,
    categories: upload.categories,
    ...(upload.error ? { error: upload.error } : {}),
    warnings: upload.warnings,
    category: upload.category,
    title: upload.title,
    date: upload.date,
    source: uploadSourceName(upload.fileName, upload.createdAt),
    createdAt: upload.createdAt.toISOString(),
    finishedAt: upload.finishedAt?.toISOString() ?? null,
  };
}

/** The name as the patient's computer gave it, without folders or control characters. */
export function cleanFileName(name: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const base = (name ?? '').split(/[/\\]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base.slice(0, 200) || 'upload';
}

export const uploadRoutes: FastifyPluginAsyncZod<UploadRoutesOptions> = async (app, { maxBytes }) => {
  // Multipart only here: the rest of the API takes JSON.
  await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 8, fieldSize: 1024, parts: 10 }, throwFileSizeLimit: true });
  const uploads = createUploadRepository(app.db);
  const maxMb = Math.round((maxBytes / 1024 / 1024) * 10) / 10;

  const ownUpload = async (request: { params: { id: string }; account: Parameters<typeof requireAccount>[0]['account'] }) => {
    const upload = await uploads.findForAccount(request.params.id, requireAccount(request).id);
    if (!upload) throw new NotFoundError('No such upload.');
    return upload;
  };

  app.post(
    '/api/uploads',
    {
      // A declared length over the cap is refused before a byte of the body is read.
      preValidation: async (request, reply) => {
        const length = Number(request.headers['content-length']);
        if (Number.isFinite(length) && length > maxBytes + FORM_OVERHEAD_BYTES) {
          reply.header('connection', 'close');
          throw new ContentTooLargeError(`The file is larger than the ${maxMb} MB limit.`);
        }
      },
      schema: {
        tags: ['uploads'],
        summary: 'Upload a file (multipart/form-data: file; optional category, title, date). 202: a job files it; GET /api/uploads/:id tells how it went',
        consumes: ['multipart/form-data'],
        response: { 202: UploadAccepted },
      },
    },
    async (request, reply) => {
      const account = requireAccount(request);
      if (!request.isMultipart()) throw new UnsupportedMediaTypeError('Send the file as multipart/form-data, in a field named "file".');
      let file: { name: string; bytes: Buffer } | null = null;
      const fields: Record<string, string> = {};
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') {
            if (part.fieldname !== 'file' || file) {
              part.file.resume();
              throw new BadRequestError('Send one file, in the field named "file".');
            }
            file = { name: cleanFileName(part.filename), bytes: await part.toBuffer() };
          } else if (typeof part.value === 'string') fields[part.fieldname] = part.value;
        }
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 413) {
          reply.header('connection', 'close');
          throw new ContentTooLargeError(`The file is larger than the ${maxMb} MB limit.`);
        }
        throw error;
      }
      if (!file) throw new BadRequestError('No file: send it in the multipart field named "file".');
      const category = fields.category?.trim() || null;
      if (category !== null && !isCategoryId(category)) throw new BadRequestError(`"category" must be one of: ${CATEGORY_IDS.join(', ')}.`);
      const title = fields.title?.trim() || null;
      if (title !== null && title.length > 300) throw new BadRequestError('"title" is longer than 300 characters.');
      const date = fields.date?.trim() || null;
      if (date !== null && !PARTIAL_DATE.test(date)) throw new BadRequestError('"date" must be a date: YYYY-MM-DD (or YYYY-MM, or YYYY).');

      let sniffed;
      try {
        sniffed = await sniffUpload(file.bytes);
      } catch (error) {
        if (error instanceof UnsupportedFileError) throw new UnsupportedMediaTypeError(error.message);
        if (error instanceof MalformedFileError) throw new BadRequestError(error.message);
        throw error;
      }
      const upload = await uploads.create({
        accountId: account.id,
        fileName: file.name,
        kind: sniffed.kind,
        contentType: sniffed.contentType,
        content: file.bytes,
        sha256: createHash('sha256').update(file.bytes).digest(),
        category,
        title,
        date,
      });
      try {
        await enqueueUpload(app.queues.uploads, upload.id);
      } catch (error) {
        // Without the job nothing would ever file it: keep nothing, and say so.
        await uploads.deleteForAccount(upload.id, account.id);
        request.log.error({ err: error }, 'could not queue an upload');
        throw new ServiceUnavailableError('Uploads cannot be taken right now (the job queue is unavailable). Try again shortly.');
      }
      await app.audit.record(request, 'upload.create', `upload:${upload.id}`);
      request.log.info({ uploadId: upload.id, kind: upload.kind, size: upload.size }, 'upload stored');
      return reply.code(202).send({ id: upload.id });
    },
  );

  app.get(
    '/api/uploads',
    { schema: { tags: ['uploads'], summary: "The patient's uploads, newest first", response: { 200: UploadList } } },
    async (request) => ({ uploads: (await uploads.listForAccount(requireAccount(request).id)).map(view) }),
  );

  app.get(
    '/api/uploads/:id',
    { schema: { tags: ['uploads'], summary: 'One upload: state (processing, done, failed), what was filed, warnings', params: UploadParams, response: { 200: UploadAnswer } } },
    async (request) => view(await ownUpload(request)),
  );

  app.delete(
    '/api/uploads/:id',
    { schema: { tags: ['uploads'], summary: 'Remove an upload and everything filed from it', params: UploadParams, response: { 204: z.null() } } },
    async (request, reply) => {
      if (!(await uploads.deleteForAccount(request.params.id, requireAccount(request).id))) throw new NotFoundError('No such upload.');
      await app.audit.record(request, 'upload.delete', `upload:${request.params.id}`);
      return reply.code(204).send(null);
    },
  );
};
