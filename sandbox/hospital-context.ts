// Everything one sandbox hospital knows at run time, shared by its routes and its admin handle.
import type { HospitalConfig, PatientAccount } from './config.js';
import { FaultState } from './faults.js';
import { MatchCache } from './fhir/paging.js';
import { ClientRegistry } from './oauth/clients.js';
import { createRsaSigner, type RsaSigner } from './oauth/jwt.js';
import { AuthorizationState } from './oauth/state.js';
import { ResourceStore } from './store.js';

export interface HospitalUrls {
  readonly origin: string;
  /** The FHIR base, also the SMART `iss`, the expected `aud` and the OpenID issuer. */
  readonly fhirBase: string;
  readonly authorize: string;
  readonly token: string;
  readonly revoke: string;
  readonly introspect: string;
  readonly jwks: string;
}

export class HospitalContext {
  readonly store = new ResourceStore();
  readonly matchCache = new MatchCache();
  readonly faults: FaultState;
  readonly auth: AuthorizationState;
  readonly clients: ClientRegistry;
  readonly signer: RsaSigner = createRsaSigner();
  private readonly accounts = new Map<string, PatientAccount>();
  private knownUrls: HospitalUrls | undefined;

  constructor(readonly config: HospitalConfig) {
    this.faults = new FaultState(config.faults);
    this.clients = new ClientRegistry(config.clients);
    this.auth = new AuthorizationState(config.signingSecret, () => this.urls.fhirBase);
    for (const account of config.patients) this.addAccount(account);
  }

  /** Known once the server listens (ports may be ephemeral). */
  get urls(): HospitalUrls {
    if (!this.knownUrls) throw new Error(`hospital ${this.config.id} is not listening yet`);
    return this.knownUrls;
  }

  get listening(): boolean {
    return this.knownUrls !== undefined;
  }

  setOrigin(origin: string): void {
    const fhirBase = `${origin}/fhir`;
    this.knownUrls = {
      origin,
      fhirBase,
      authorize: `${origin}/oauth/authorize`,
      token: `${origin}/oauth/token`,
      revoke: `${origin}/oauth/revoke`,
      introspect: `${origin}/oauth/introspect`,
      jwks: `${origin}/oauth/jwks`,
    };
  }

  addAccount(account: PatientAccount): void {
    this.accounts.set(account.username, account);
  }

  findAccount(username: string): PatientAccount | undefined {
    return this.accounts.get(username);
  }

  accountList(): PatientAccount[] {
    return [...this.accounts.values()];
  }

  /** Page size for a request: `_count` capped at the hospital's maximum. */
  pageSize(requested: number | undefined): number {
    const max = this.config.maxPageSize;
    return Math.min(requested ?? this.config.defaultPageSize ?? max, max);
  }
}
