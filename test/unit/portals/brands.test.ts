import { describe, expect, it } from 'vitest';
import { BrandsBundleError, portalsFromBrandsBundle } from '../../../src/portals/brands.js';

const bundle = {
  resourceType: 'Bundle',
  type: 'collection',
  entry: [
    {
      fullUrl: 'https://brands.example.org/Organization/lakeview',
      resource: {
        resourceType: 'Organization',
        id: 'lakeview',
        name: 'Lakeview Health',
        extension: [
          { url: 'http://hl7.org/fhir/StructureDefinition/organization-brand', extension: [{ url: 'brandLogo', valueUrl: 'https://lakeview.example.org/logo.svg' }] },
          {
            url: 'http://hl7.org/fhir/StructureDefinition/organization-portal',
            extension: [
              { url: 'portalName', valueString: 'LakeviewChart' },
              { url: 'portalUrl', valueUrl: 'https://chart.lakeview.example.org' },
              { url: 'portalEndpoint', valueReference: { reference: 'https://brands.example.org/Endpoint/lakeview-r4' } },
            ],
          },
        ],
      },
    },
    {
      fullUrl: 'https://brands.example.org/Endpoint/lakeview-r4',
      resource: { resourceType: 'Endpoint', id: 'lakeview-r4', status: 'active', address: 'https://fhir.lakeview.example.org/api/FHIR/R4/' },
    },
    { fullUrl: 'urn:Organization/nowhere', resource: { resourceType: 'Organization', id: 'nowhere', name: 'No Endpoint Clinic' } },
  ],
};

describe('SMART User-access Brands import', () => {
  it('makes one portal per brand endpoint, with its logo and patient portal', () => {
    expect(portalsFromBrandsBundle(bundle)).toEqual([
      {
        id: 'lakeview',
        name: 'Lakeview Health',
        fhirBaseUrl: 'https://fhir.lakeview.example.org/api/FHIR/R4',
        brand: { logoUrl: 'https://lakeview.example.org/logo.svg', portalUrl: 'https://chart.lakeview.example.org', portalName: 'LakeviewChart' },
      },
    ]);
  });

  it('follows Organization.endpoint references as well', () => {
    const simple = {
      resourceType: 'Bundle',
      entry: [
        { fullUrl: 'urn:uuid:1', resource: { resourceType: 'Organization', id: 'St. Mary', name: 'St. Mary', endpoint: [{ reference: 'Endpoint/e1' }] } },
        { fullUrl: 'urn:uuid:2', resource: { resourceType: 'Endpoint', id: 'e1', address: 'https://fhir.stmary.example.org/r4' } },
      ],
    };
    expect(portalsFromBrandsBundle(simple)).toMatchObject([{ id: 'st-mary', fhirBaseUrl: 'https://fhir.stmary.example.org/r4' }]);
  });

  it('refuses something that is not a Bundle', () => {
    expect(() => portalsFromBrandsBundle({ resourceType: 'Patient' })).toThrow(BrandsBundleError);
    expect(() => portalsFromBrandsBundle(null)).toThrow(BrandsBundleError);
  });
});
