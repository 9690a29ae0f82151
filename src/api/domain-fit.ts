// Compile-time checks that the contract and the domain's own types have the same fields, for the
// answers written as text (the binder's items come from JSON PostgreSQL writes, the summaries are
// stringified), where no serialiser compares them. A field added on one side only fails `npm run
// typecheck` here. Not exported from ./index.ts: the web client's type check must not read the domain.
import type { z } from 'zod';
import type { MedicineDose, ResultComponent, ResultValue, StudyFacts } from '../records/binder-fields.js';
import type { MedicineDoseCount, MedicineSummary } from '../records/treatment-medicines.js';
import type { RadiationCourseSummary } from '../records/treatment-radiation.js';
import type { LinkedTreatment, SideEffectSummary } from '../records/treatment-side-effects.js';
import type { ExportSizes } from '../exports/sizes.js';
import type { ShareContent } from '../shares/snapshot.js';
import type { ShareState } from '../shares/repository.js';
import type { TypeReport } from '../sync/sync-runs.js';
import type * as binder from './binder.js';
import type * as exportsApi from './exports.js';
import type * as shares from './shares.js';
import type * as sync from './sync.js';

/** True when A (the domain) and B (the contract) are assignable both ways; else a type error names what differs. */
type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? true
    : { fieldsNotInTheContract: Exclude<keyof A, keyof B> }
  : { fieldsNotInTheDomainOrOfAnotherType: Exclude<keyof B, keyof A> };
type Check<T extends true> = T;
type SummaryLine = { portals: string[] };

export type ContractFitsDomain = [
  Check<Same<ResultValue, z.infer<typeof binder.ItemValue>>>,
  Check<Same<ResultComponent, z.infer<typeof binder.ResultComponent>>>,
  Check<Same<MedicineDose, z.infer<typeof binder.ItemDose>>>,
  Check<Same<StudyFacts, z.infer<typeof binder.StudyFacts>>>,
  Check<Same<MedicineDoseCount, z.infer<typeof binder.MedicineDoseCount>>>,
  Check<Same<MedicineSummary & SummaryLine, z.infer<typeof binder.Medicine>>>,
  Check<Same<RadiationCourseSummary & SummaryLine, z.infer<typeof binder.RadiationCourse>>>,
  Check<Same<LinkedTreatment, z.infer<typeof binder.LinkedTreatment>>>,
  Check<Same<SideEffectSummary & SummaryLine, z.infer<typeof binder.SideEffect>>>,
  Check<Same<TypeReport, z.infer<typeof sync.TypeReport>>>,
  Check<Same<ExportSizes, z.infer<typeof exportsApi.ExportSizes>>>,
  Check<Same<ShareContent, z.infer<typeof shares.ShareContent>>>,
  Check<Same<ShareState, shares.ShareState>>,
];
