// The CapabilityStatement at /metadata, with SMART's oauth-uris extension for clients that
// discover endpoints the older way.
import type { CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r4.js';
import type { HospitalContext } from '../hospital-context.js';
import { BINARY, SEARCHABLE_TYPES, TOKEN_PARAMETERS, isCompartmentType } from './resource-types.js';

const SMART_SERVICE = 'http://terminology.hl7.org/CodeSystem/restful-security-service';
const OAUTH_URIS = 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris';

export function capabilityStatement(hospital: HospitalContext): CapabilityStatement {
  const { urls, config } = hospital;
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2025-01-01',
    kind: 'instance',
    publisher: config.name,
    software: { name: 'carebinder sandbox hospital', version: '1.0.0' },
    implementation: { description: `${config.name} patient portal FHIR API (sandbox)`, url: urls.fhirBase },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        security: {
          cors: true,
          service: [{ coding: [{ system: SMART_SERVICE, code: 'SMART-on-FHIR' }], text: 'OAuth2 using SMART-on-FHIR profile' }],
          extension: [
            {
              url: OAUTH_URIS,
              extension: [
                { url: 'authorize', valueUri: urls.authorize },
                { url: 'token', valueUri: urls.token },
                { url: 'revoke', valueUri: urls.revoke },
                { url: 'introspect', valueUri: urls.introspect },
              ],
            },
          ],
        },
        resource: [...SEARCHABLE_TYPES.map(searchableResource), { type: BINARY, interaction: [{ code: 'read' }] }],
      },
    ],
  };
}

function searchableResource(type: (typeof SEARCHABLE_TYPES)[number]): CapabilityStatementRestResource {
  const compartment = isCompartmentType(type) && type !== 'Patient';
  return {
    type,
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    searchParam: [
      { name: '_id', type: 'token' },
      { name: '_lastUpdated', type: 'date' },
      ...(compartment ? [{ name: 'patient', type: 'reference' as const }, { name: 'subject', type: 'reference' as const }] : []),
      ...Object.keys(TOKEN_PARAMETERS[type]).map((name) => ({ name, type: 'token' as const })),
    ],
  };
}
