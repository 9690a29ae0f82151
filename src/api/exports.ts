// The copies a patient takes out: export.json and ips.json are FHIR R4 Bundles (below); export.zip
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

/** The International Patient Summary (HL7 IPS): a document Bundle, the Composition first. */
export const IpsBundle = z
  .object({
    resourceType: z.literal('Bundle'),
    id: z.string(),
    identifier: z.object({ system: z.string(), value: z.string() }),
    type: z.literal('document'),
    timestamp: z.iso.datetime(),
    entry: z.array(z.object({ fullUrl: z.string(), resource: FhirResource })).min(1),
  })
  .refine((bundle) => bundle.entry[0]?.resource.resourceType === 'Composition', 'the first entry is the Composition');

/** What each download holds and about how big it is (GET /api/record/exports). */
export const ExportSizes = z
  .object({
    records: z.int(),
    documents: z.int(),
    ipsBytes: z.int().describe('exact'),
    bundleBytes: z.int().describe('an estimate from the stored records and documents'),
    zipBytes: z.int().describe('an estimate'),
    pdfBytes: z.int().describe('an estimate'),
  })
  .describe('The sizes of the downloads, the IPS exact and the others estimated, without making them');

export type ExportBundle = z.infer<typeof ExportBundle>;
export type ExportSizes = z.infer<typeof ExportSizes>;
export type IpsBundle = z.infer<typeof IpsBundle>;
