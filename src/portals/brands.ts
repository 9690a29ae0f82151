// Reads a SMART User-access Brands bundle (SMART App Launch 2.2 "brands"): Organizations with
// brand and portal extensions, pointing at FHIR Endpoints. One portal per (brand, endpoint).
import type { PortalBrand } from './registry.js';

const BRAND_EXT = 'http://hl7.org/fhir/StructureDefinition/organization-brand';
const PORTAL_EXT = 'http://hl7.org/fhir/StructureDefinition/organization-portal';

interface Extension {
  url?: string;
  valueUrl?: string;
  valueString?: string;
  valueMarkdown?: string;
  valueReference?: { reference?: string };
  extension?: Extension[];
}
interface BundleResource {
  resourceType?: string;
  id?: string;
  name?: string;
  address?: string;
  status?: string;
  endpoint?: Array<{ reference?: string }>;
  extension?: Extension[];
  connectionType?: { code?: string };
}

export interface BrandPortal {
  id: string;
  name: string;
  fhirBaseUrl: string;
  brand: PortalBrand;
}

export class BrandsBundleError extends Error {
  override name = 'BrandsBundleError';
}

export function portalsFromBrandsBundle(bundle: unknown): BrandPortal[] {
  const entries = (bundle as { resourceType?: string; entry?: Array<{ fullUrl?: string; resource?: BundleResource }> } | null)?.entry;
  if ((bundle as { resourceType?: string } | null)?.resourceType !== 'Bundle' || !Array.isArray(entries)) {
    throw new BrandsBundleError('not a FHIR Bundle with entries');
  }
  const endpoints = new Map<string, BundleResource>();
  for (const entry of entries) {
    const resource = entry.resource;
    if (resource?.resourceType !== 'Endpoint' || typeof resource.address !== 'string' || resource.status === 'off') continue;
    if (entry.fullUrl) endpoints.set(entry.fullUrl, resource);
    if (resource.id) endpoints.set(`Endpoint/${resource.id}`, resource);
  }
  const portals = new Map<string, BrandPortal>();
  for (const entry of entries) {
    const organization = entry.resource;
    if (organization?.resourceType !== 'Organization' || !organization.name) continue;
    const brandExt = organization.extension?.find((e) => e.url === BRAND_EXT);
    const logoUrl = brandExt?.extension?.find((e) => e.url === 'brandLogo')?.valueUrl;
    const portalExts = organization.extension?.filter((e) => e.url === PORTAL_EXT) ?? [];
    const references = new Set<string>((organization.endpoint ?? []).map((r) => r.reference ?? '').filter(Boolean));
    const portalInfo = portalExts.map((ext) => ({
      portalName: ext.extension?.find((e) => e.url === 'portalName')?.valueString,
      portalUrl: ext.extension?.find((e) => e.url === 'portalUrl')?.valueUrl,
      endpoints: (ext.extension ?? []).filter((e) => e.url === 'portalEndpoint').map((e) => e.valueReference?.reference ?? ''),
    }));
    for (const info of portalInfo) info.endpoints.forEach((reference) => reference && references.add(reference));
    for (const reference of references) {
      const endpoint = endpoints.get(reference);
      if (!endpoint?.address || !URL.canParse(endpoint.address)) continue;
      const info = portalInfo.find((p) => p.endpoints.includes(reference)) ?? portalInfo[0];
      const fhirBaseUrl = endpoint.address.replace(/\/+$/, '');
      const id = uniqueId(slug(organization.id ?? organization.name), portals);
      if ([...portals.values()].some((p) => p.fhirBaseUrl === fhirBaseUrl && p.name === organization.name)) continue;
      portals.set(id, {
        id,
        name: organization.name,
        fhirBaseUrl,
        brand: {
          ...(logoUrl ? { logoUrl } : {}),
          ...(info?.portalUrl ? { portalUrl: info.portalUrl } : {}),
          ...(info?.portalName ? { portalName: info.portalName } : {}),
        },
      });
    }
  }
  return [...portals.values()];
}

export function slug(text: string): string {
  const value = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 56);
  return value || 'portal';
}

function uniqueId(base: string, taken: Map<string, unknown>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}
