// The export: every stored resource as one FHIR R4 Bundle of type "collection", streamed in
// batches straight from the database text (never the whole record in memory). Each entry's
// fullUrl is the resource's address at the portal it came from; an extension says which
// portal and when carebinder last saw it change.
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { Queryable } from '../db/pool.js';
import type { AccountSources } from './sources.js';

const BATCH = 500;
export const SOURCE_EXTENSION = 'https://carebinder.example.org/fhir/StructureDefinition/source-portal';

export function streamExport(db: Queryable, accountId: string, sources: AccountSources, reply: FastifyReply): FastifyReply {
  async function* chunks(): AsyncGenerator<string> {
    yield `{"resourceType":"Bundle","type":"collection","timestamp":${JSON.stringify(new Date().toISOString())},"entry":[`;
    let lastId = '0';
    let first = true;
    for (;;) {
      const { rows } = await db.query<{ id: string; link_id: string; resource_type: string; resource_id: string; resource: string; last_changed_at: Date }>(
        `SELECT id::text, link_id, resource_type, resource_id, resource::text AS resource, last_changed_at FROM records
          WHERE account_id = $1 AND records.id > $2 ORDER BY records.id LIMIT ${BATCH}`,
        [accountId, lastId],
      );
      if (rows.length === 0) break;
      let text = '';
      for (const row of rows) {
        const source = sources.byLink.get(row.link_id);
        const fullUrl = source ? `${source.fhirBaseUrl}/${row.resource_type}/${row.resource_id}` : `urn:carebinder:record:${row.id}`;
        const extension = [
          { url: SOURCE_EXTENSION, extension: [
            { url: 'portal', valueString: source?.portalId ?? 'unknown' },
            { url: 'portalName', valueString: source?.portalName ?? 'unknown' },
            { url: 'lastChanged', valueDateTime: row.last_changed_at.toISOString() },
          ] },
        ];
        text += `${first ? '' : ','}{"fullUrl":${JSON.stringify(fullUrl)},"extension":${JSON.stringify(extension)},"resource":${row.resource}}`;
        first = false;
      }
      yield text;
      lastId = rows[rows.length - 1].id;
    }
    yield ']}';
  }
  return reply
    .type('application/fhir+json')
    .header('content-disposition', 'attachment; filename="carebinder-export.json"')
    .send(Readable.from(chunks()));
}
