// The copies a patient takes out. export.json is a FHIR R4 Bundle (below); export.zip, the IPS
// and the binder PDF are files, not JSON.
import { z } from 'zod';
import { FhirResource } from './binder.js';

/** A FHIR extension: a url, a value[x] or nested extensions. */
export const FhirExtension = z.looseObject({ url: z.string() });

export const ExportEntry = z.object({
  fullUrl: z.string().describe("the record's address at its portal, or urn:uuid for a fetched document (a Binary)"),
  extension: z.array(FhirExtension).describe('which portal it came from and when it last changed'),
  resource: FhirResource,
});

export const ExportBundle = z
  .object({ resourceType: z.literal('Bundle'), type: z.literal('collection'), timestamp: z.iso.datetime(), entry: z.array(ExportEntry) })
  .describe('every stored resource and every fetched document of the patient');

export type ExportBundle = z.infer<typeof ExportBundle>;
