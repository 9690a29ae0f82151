// Fault switches: the misbehaviours of real portals that carebinder's reliability tests
// provoke on purpose. Request-level faults (latency, 429, 5xx, reset) run before a FHIR
// request is handled; page-level faults (malformed, looping, foreign) change one searchset page.
import { z } from 'zod';

/** Picks which searchset page a page-level fault hits: page `page` (1-based) of any search, or of one type only. */
const pageFaultSchema = (defaultPage: number) =>
  z.strictObject({
    resourceType: z.string().min(1).optional(),
    page: z.number().int().min(1).default(defaultPage),
    /** How many times the fault fires before it switches itself off; unlimited when absent. */
    times: z.number().int().min(1).optional(),
  });

export const faultSwitchesSchema = z.strictObject({
  /** Delay added before every answer except /admin. */
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  /** Every `every`-th FHIR data request answers 429 with `Retry-After: retryAfterSeconds`. */
  rateLimit: z
    .strictObject({ every: z.number().int().min(1), retryAfterSeconds: z.number().int().min(0).default(1) })
    .optional(),
  /**
   * A token bucket, as real portals meter a client: it holds at most `burst` requests (default:
   * one second's worth, at least 1) and refills continuously at `perMinute` a minute. A FHIR data
   * request that finds it empty answers 429 with `Retry-After` (whole seconds until a token is back,
   * at least 1) and takes no token. Starts full whenever the switches are set.
   */
  tokenBucket: z.strictObject({ perMinute: z.number().int().min(1), burst: z.number().int().min(1).optional() }).optional(),
  /** After `afterRequests` good FHIR data requests, the next `count` answer `status` (a burst), then recover. */
  errorBurst: z
    .strictObject({
      status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]),
      count: z.number().int().min(1),
      afterRequests: z.number().int().min(0).default(0),
      retryAfterSeconds: z.number().int().min(0).optional(),
    })
    .optional(),
  /** Every `every`-th FHIR data request has its TCP connection destroyed without an answer. */
  connectionReset: z.strictObject({ every: z.number().int().min(1) }).optional(),
  /** Lifetime of access tokens issued from now on (overrides the hospital's configured lifetime). */
  accessTokenLifetimeSeconds: z.number().int().min(1).optional(),
  /** The chosen searchset page answers 200 with its JSON body cut in half. */
  malformedPage: pageFaultSchema(1).optional(),
  /** The chosen searchset page's `next` link points back to the first page. */
  loopingNext: pageFaultSchema(2).optional(),
  /** Another patient's real resource is slipped into the chosen searchset page. */
  foreignResource: pageFaultSchema(1).optional(),
  /** Every refresh_token grant is refused with invalid_grant, as after the patient revoked access in the portal. */
  refreshTokensRevoked: z.boolean().optional(),
});

export type FaultSwitches = z.output<typeof faultSwitchesSchema>;
export type FaultSwitchesInput = z.input<typeof faultSwitchesSchema>;
export type PageFault = NonNullable<FaultSwitches['malformedPage']>;
export type PageFaultName = 'malformedPage' | 'loopingNext' | 'foreignResource';

/** What the request-level faults decide for one FHIR data request. */
export type RequestFault =
  | { kind: 'none' }
  | { kind: 'reset' }
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  | { kind: 'error'; status: number; retryAfterSeconds: number | undefined };

/** What a hospital answered since its switches were last set (for benchmarks: the requests a client needed). */
export interface Traffic {
  /** Every request under /fhir, discovery (metadata, .well-known) included. */
  fhirRequests: number;
  /** FHIR data requests (searches, reads, Binary): the ones request-level faults and the token bucket meter. */
  dataRequests: number;
  /** Data requests answered 429 by `rateLimit` or `tokenBucket`. */
  throttled: number;
  /** When the switches were last set (epoch ms): the token bucket started full then. */
  since: number;
}

/** Holds one hospital's switches and the request counters they count with. */
export class FaultState {
  private switches: FaultSwitches = {};
  // Counted from the moment the switches were last set, so "every Nth" is predictable in tests.
  private dataRequests = 0;
  private fhirRequests = 0;
  private throttled = 0;
  private since = 0;
  private readonly pageFaultFirings = new Map<PageFaultName, number>();
  private bucket = { tokens: 0, at: 0 };

  constructor(
    initial: FaultSwitchesInput = {},
    /** The clock the token bucket refills by (tests pass their own). */
    private readonly now: () => number = () => performance.timeOrigin + performance.now(),
  ) {
    this.replace(initial);
  }

  current(): FaultSwitches {
    return structuredClone(this.switches);
  }

  /** Replaces all switches (absent ones are off) and restarts the counters. */
  replace(input: FaultSwitchesInput): FaultSwitches {
    this.switches = faultSwitchesSchema.parse(input);
    this.restartCounters();
    return this.current();
  }

  /** Sets the given switches, keeps the others; `null` turns one off. */
  merge(input: Partial<Record<keyof FaultSwitches, unknown>>): FaultSwitches {
    const next: Record<string, unknown> = { ...this.switches };
    for (const [name, value] of Object.entries(input)) {
      if (value === null || value === undefined) delete next[name];
      else next[name] = value;
    }
    return this.replace(next);
  }

  clear(): void {
    this.replace({});
  }

  latencyMs(): number {
    return this.switches.latencyMs ?? 0;
  }

  accessTokenLifetimeSeconds(): number | undefined {
    return this.switches.accessTokenLifetimeSeconds;
  }

  refreshTokensRevoked(): boolean {
    return this.switches.refreshTokensRevoked === true;
  }

  /** Counts one request under /fhir (discovery included), for traffic(). */
  countFhirRequest(): void {
    this.fhirRequests += 1;
  }

  traffic(): Traffic {
    return { fhirRequests: this.fhirRequests, dataRequests: this.dataRequests, throttled: this.throttled, since: this.since };
  }

  /** Counts one FHIR data request and says which request-level fault, if any, it meets. */
  nextDataRequest(): RequestFault {
    this.dataRequests += 1;
    const n = this.dataRequests;
    const { connectionReset, rateLimit, errorBurst } = this.switches;
    if (connectionReset && n % connectionReset.every === 0) return { kind: 'reset' };
    if (rateLimit && n % rateLimit.every === 0) {
      this.throttled += 1;
      return { kind: 'rate-limit', retryAfterSeconds: rateLimit.retryAfterSeconds };
    }
    const bucketWait = this.takeToken();
    if (bucketWait !== null) {
      this.throttled += 1;
      return { kind: 'rate-limit', retryAfterSeconds: bucketWait };
    }
    if (errorBurst && n > errorBurst.afterRequests && n <= errorBurst.afterRequests + errorBurst.count) {
      return { kind: 'error', status: errorBurst.status, retryAfterSeconds: errorBurst.retryAfterSeconds };
    }
    return { kind: 'none' };
  }

  /** True when the named page fault applies to this page, counting one firing if so. */
  firesOnPage(name: PageFaultName, resourceType: string, page: number): boolean {
    const fault = this.switches[name];
    if (!fault || fault.page !== page) return false;
    if (fault.resourceType !== undefined && fault.resourceType !== resourceType) return false;
    const fired = this.pageFaultFirings.get(name) ?? 0;
    if (fault.times !== undefined && fired >= fault.times) return false;
    this.pageFaultFirings.set(name, fired + 1);
    return true;
  }

  /** Takes a token from the bucket, if switched on: null when one was there, else the seconds to wait. */
  private takeToken(): number | null {
    const bucket = this.switches.tokenBucket;
    if (!bucket) return null;
    const perMs = bucket.perMinute / 60_000;
    const capacity = bucketCapacity(bucket);
    const now = this.now();
    this.bucket = { tokens: Math.min(capacity, this.bucket.tokens + (now - this.bucket.at) * perMs), at: now };
    if (this.bucket.tokens >= 1) {
      this.bucket.tokens -= 1;
      return null;
    }
    return Math.max(1, Math.ceil((1 - this.bucket.tokens) / perMs / 1000));
  }

  private restartCounters(): void {
    this.dataRequests = 0;
    this.fhirRequests = 0;
    this.throttled = 0;
    this.since = Date.now();
    this.pageFaultFirings.clear();
    const bucket = this.switches.tokenBucket;
    this.bucket = { tokens: bucket ? bucketCapacity(bucket) : 0, at: this.now() };
  }
}

/** The most a token bucket holds: `burst`, or one second's worth (at least one request). */
export function bucketCapacity(bucket: { perMinute: number; burst?: number | undefined }): number {
  return bucket.burst ?? Math.max(1, Math.floor(bucket.perMinute / 60));
}
