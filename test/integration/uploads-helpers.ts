// Shared by the upload tests: a multipart body as a browser sends it, and waiting for the job.
import { randomBytes } from 'node:crypto';
import PDFDocument from 'pdfkit';
import { expect } from 'vitest';
import type { App } from '../../src/app.js';

export interface FilePart {
  name: string;
  content: Buffer | string;
  /** What the browser declares (carebinder judges by the bytes, not this). */
  contentType?: string;
}

export function multipartBody(file: FilePart | null, fields: Record<string, string> = {}): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----carebinder${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`),
      Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export async function upload(app: App, cookie: string, file: FilePart | null, fields: Record<string, string> = {}) {
  const { payload, headers } = multipartBody(file, fields);
  return app.inject({ method: 'POST', url: '/api/uploads', headers: { ...headers, cookie }, payload });
}

export interface UploadView {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  state: 'processing' | 'done' | 'failed';
  resources: number;
  categories: string[];
  error?: string;
  warnings: string[];
  source: string;
}

/** Uploads a file, expects 202, and waits for the job to finish with it. */
export async function uploadAndWait(app: App, cookie: string, file: FilePart, fields: Record<string, string> = {}): Promise<UploadView> {
  const response = await upload(app, cookie, file, fields);
  expect(response.statusCode, response.body).toBe(202);
  return waitForUpload(app, cookie, response.json<{ id: string }>().id);
}

export async function waitForUpload(app: App, cookie: string, id: string, timeoutMs = 20_000): Promise<UploadView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await app.inject({ method: 'GET', url: `/api/uploads/${id}`, headers: { cookie } });
    expect(response.statusCode, response.body).toBe(200);
    const view = response.json<UploadView>();
    if (view.state !== 'processing') return view;
    if (Date.now() > deadline) throw new Error(`upload ${id} still processing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A real PDF with a text layer, written by pdfkit. */
export async function pdfWithText(lines: readonly string[]): Promise<Buffer> {
  const document = new PDFDocument();
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve) => document.on('end', () => resolve()));
  for (const line of lines) document.text(line);
  document.end();
  await done;
  return Buffer.concat(chunks);
}

export interface BinderItem {
  id: string;
  resourceType: string;
  title: string;
  date: string | null;
  documents: Array<{ id: string; url: string; contentType: string | null; title: string | null }>;
  sources: Array<{ portalId: string; portalName: string }>;
}

export async function binder(app: App, cookie: string): Promise<Record<string, BinderItem[]>> {
  const response = await app.inject({ method: 'GET', url: '/api/record', headers: { cookie } });
  expect(response.statusCode, response.body).toBe(200);
  const body = response.json<{ categories: Array<{ id: string; items: BinderItem[] }> }>();
  return Object.fromEntries(body.categories.map((c) => [c.id, c.items]));
}

/** A minimal valid PNG (1×1) and JPEG (1×1) by their signatures. */
export const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
export const JPEG_1X1 = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  'base64',
);
