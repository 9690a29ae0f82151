// Sandbox-only controls, the same in-process (HospitalAdmin) and over HTTP (/admin/...):
// fault switches, data changes for incremental-sync tests, refresh-token revocation and
// big generated patients. Real portals have nothing like it.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { FhirResource } from 'fhir/r4.js';
import { z } from 'zod';
import type { PatientAccount } from './config.js';
import { withAbsoluteAttachmentUrls } from './data-loader.js';
import { faultSwitchesSchema, type FaultSwitches, type FaultSwitchesInput, type Traffic } from './faults.js';
import { generatePatient, type GeneratePatientOptions, type GeneratedPatient } from './generate.js';
import type { HospitalContext } from './hospital-context.js';
import { StoreError, compartmentOwner } from './store.js';

/** Changes to fault switches: a value sets a switch, `null` turns it off, absent leaves it. */
export type FaultSwitchChanges = { [K in keyof FaultSwitchesInput]?: FaultSwitchesInput[K] | null };

export interface HospitalStatus {
  readonly id: string;
  readonly patients: ReadonlyArray<{ patientId: string; usernames: string[]; resources: number }>;
  readonly sharedResources: number;
  readonly faults: FaultSwitches;
  /** Requests answered since the switches were last set. */
  readonly traffic: Traffic;
}

export interface HospitalAdmin {
  getFaults(): FaultSwitches;
  /** Sets the given switches and keeps the others; restarts the "every Nth request" counters. */
  setFaults(changes: FaultSwitchChanges): FaultSwitches;
  /** Replaces all switches. */
  replaceFaults(switches: FaultSwitchesInput): FaultSwitches;
  clearFaults(): void;
  /** Creates or replaces a resource; meta.versionId and meta.lastUpdated move forward. Returns it as served. */
  upsertResource(resource: FhirResource): FhirResource;
  /** Deletes a resource (later reads answer 410 Gone); false if it did not exist. */
  deleteResource(resourceType: string, id: string): boolean;
  readResource(resourceType: string, id: string): FhirResource | undefined;
  /** Revokes every live refresh token, or only a patient's; returns how many. */
  revokeRefreshTokens(patientId?: string): number;
  addPatientAccount(account: PatientAccount): void;
  generatePatient(options: GeneratePatientOptions): GeneratedPatient;
  status(): HospitalStatus;
}

export function createHospitalAdmin(hospital: HospitalContext): HospitalAdmin {
  return {
    getFaults: () => hospital.faults.current(),
    setFaults: (changes) => hospital.faults.merge(changes),
    replaceFaults: (switches) => hospital.faults.replace(switches),
    clearFaults: () => hospital.faults.clear(),
    upsertResource: (resource) => upsert(hospital, resource),
    deleteResource: (resourceType, id) => hospital.store.delete(resourceType, id),
    readResource: (resourceType, id) => {
      const entry = hospital.store.get(resourceType, id);
      return entry ? hospital.store.parse(entry) : undefined;
    },
    revokeRefreshTokens: (patientId) => hospital.auth.revokeRefreshTokens(patientId),
    addPatientAccount: (account) => addAccount(hospital, account),
    generatePatient: (options) => generatePatient(hospital, options),
    status: () => status(hospital),
  };
}

function upsert(hospital: HospitalContext, resource: FhirResource): FhirResource {
  const withId = { ...resource, id: resource.id ?? randomUUID() } as FhirResource;
  const owner = compartmentOwner(withId);
  if (owner !== undefined && withId.resourceType !== 'Patient' && !hospital.store.get('Patient', owner)) {
    throw new StoreError(`Patient/${owner} does not exist at ${hospital.config.id}`);
  }
  const entry = hospital.store.put(withAbsoluteAttachmentUrls(withId, hospital.urls.fhirBase), { preserveMeta: false });
  return hospital.store.parse(entry);
}

function addAccount(hospital: HospitalContext, account: PatientAccount): void {
  if (!hospital.store.get('Patient', account.patientId)) throw new StoreError(`Patient/${account.patientId} does not exist`);
  if (hospital.findAccount(account.username)) throw new StoreError(`login "${account.username}" already exists`);
  hospital.addAccount(account);
}

function status(hospital: HospitalContext): HospitalStatus {
  const counts = hospital.store.counts();
  const accounts = hospital.accountList();
  return {
    id: hospital.config.id,
    patients: hospital.store.patientIds().map((patientId) => ({
      patientId,
      usernames: accounts.filter((a) => a.patientId === patientId).map((a) => a.username),
      resources: counts[patientId] ?? 0,
    })),
    sharedResources: counts.shared ?? 0,
    faults: hospital.faults.current(),
    traffic: hospital.faults.traffic(),
  };
}

// ---- HTTP --------------------------------------------------------------------------------------

const resourceBodySchema = z.looseObject({ resourceType: z.string().min(1), id: z.string().optional() });
const revokeBodySchema = z.strictObject({ patientId: z.string().min(1).optional() }).prefault({});
const accountBodySchema = z.strictObject({ username: z.string().min(1), password: z.string().min(1), patientId: z.string().min(1) });
const generateBodySchema = z.strictObject({
  patientId: z.string().min(1),
  username: z.string().min(1),
  password: z.string().min(1),
  count: z.number().int().min(1),
  seed: z.number().int().optional(),
});
const faultChangesSchema = z.record(z.string(), z.unknown());

export function registerAdminRoutes(app: FastifyInstance, admin: HospitalAdmin): void {
  app.get('/admin/status', async () => admin.status());

  app.get('/admin/faults', async () => admin.getFaults());
  app.put('/admin/faults', async (request) => admin.replaceFaults(faultSwitchesSchema.parse(request.body ?? {})));
  app.patch('/admin/faults', async (request) => admin.setFaults(faultChangesSchema.parse(request.body ?? {}) as FaultSwitchChanges));
  app.delete('/admin/faults', async (_request, reply) => {
    admin.clearFaults();
    return reply.code(204).send();
  });

  app.put('/admin/resources', async (request) => admin.upsertResource(resourceBodySchema.parse(request.body) as FhirResource));
  app.get<{ Params: { type: string; id: string } }>('/admin/resources/:type/:id', async (request, reply) => {
    const resource = admin.readResource(request.params.type, request.params.id);
    return resource ?? reply.code(404).send({ error: 'not_found' });
  });
  app.delete<{ Params: { type: string; id: string } }>('/admin/resources/:type/:id', async (request, reply) =>
    reply.code(admin.deleteResource(request.params.type, request.params.id) ? 204 : 404).send(),
  );

  app.post('/admin/revoke-refresh-tokens', async (request) => {
    const { patientId } = revokeBodySchema.parse(request.body ?? {});
    return { revoked: admin.revokeRefreshTokens(patientId) };
  });
  app.post('/admin/patients', async (request, reply) => {
    admin.addPatientAccount(accountBodySchema.parse(request.body));
    return reply.code(201).send({ created: true });
  });
  app.post('/admin/generate-patient', async (request, reply) =>
    reply.code(201).send(admin.generatePatient(generateBodySchema.parse(request.body))),
  );
}
