// The sandbox's programmatic API: start every configured hospital, get their URLs and admin
// handles, close them all. The CLI (main.ts), the demo and the end-to-end tests all use this.
import type { HospitalAdmin } from './admin.js';
import { DEFAULT_CONFIG_PATH, SANDBOX_DIR, loadConfigFile, resolveConfig, type HospitalConfig, type SandboxConfig } from './config.js';
import { startHospital, type RunningHospital } from './hospital.js';

export type { FaultSwitchChanges, HospitalAdmin, HospitalStatus } from './admin.js';
export type { HospitalConfigInput, SandboxConfig } from './config.js';
export type { FaultSwitches, FaultSwitchesInput } from './faults.js';
export type { GeneratePatientOptions, GeneratedPatient } from './generate.js';
export { DEFAULT_CONFIG_PATH } from './config.js';

export interface StartSandboxOptions {
  /** A hospitals JSON file; defaults to sandbox/hospitals.json. Relative dataDir paths resolve against its folder. */
  readonly configPath?: string;
  /** A configuration object instead of a file; relative dataDir paths resolve against sandbox/. */
  readonly config?: SandboxConfig;
  /** Ignore configured ports and listen on free ones (for tests and the in-process demo). */
  readonly ephemeralPorts?: boolean;
  /** Interface to bind; defaults to 127.0.0.1. */
  readonly host?: string;
}

export interface SandboxHospital {
  readonly id: string;
  readonly name: string;
  /** e.g. http://127.0.0.1:4101/fhir — also the SMART `iss` and the `aud` to send. */
  readonly fhirBaseUrl: string;
  readonly issuer: string;
  readonly admin: HospitalAdmin;
}

export interface Sandbox {
  readonly hospitals: readonly SandboxHospital[];
  /** The hospital with this id; throws if there is none. */
  hospital(id: string): SandboxHospital;
  close(): Promise<void>;
}

export async function startSandbox(options: StartSandboxOptions = {}): Promise<Sandbox> {
  const configs = await configurationFor(options);
  const running: RunningHospital[] = [];
  try {
    for (const config of configs) {
      running.push(await startHospital(config, { host: options.host ?? '127.0.0.1', ephemeralPort: options.ephemeralPorts ?? false }));
    }
  } catch (error) {
    await Promise.allSettled(running.map((hospital) => hospital.close()));
    throw error;
  }

  const hospitals = running.map(({ context, admin }): SandboxHospital => ({
    id: context.config.id,
    name: context.config.name,
    fhirBaseUrl: context.urls.fhirBase,
    issuer: context.urls.fhirBase,
    admin,
  }));
  return {
    hospitals,
    hospital: (id) => {
      const found = hospitals.find((hospital) => hospital.id === id);
      if (!found) throw new Error(`no sandbox hospital "${id}" (have: ${hospitals.map((h) => h.id).join(', ')})`);
      return found;
    },
    close: async () => {
      await Promise.all(running.map((hospital) => hospital.close()));
    },
  };
}

async function configurationFor(options: StartSandboxOptions): Promise<HospitalConfig[]> {
  if (options.config && options.configPath) throw new Error('pass either config or configPath, not both');
  if (options.config) return resolveConfig(options.config, SANDBOX_DIR);
  return loadConfigFile(options.configPath ?? DEFAULT_CONFIG_PATH);
}
