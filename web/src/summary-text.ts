// Words for the treatment summary's cells. Pure: unit-tested in Node.
import { formatDate, formatDateRange, formatGray, formatNumber } from './format.js';
import type { RadiationCourse, SideEffect } from './types.js';

export function capitalize(value: string): string {
  return value ? value.charAt(0).toUpperCase() + value.slice(1) : value;
}

/** The treatment(s) a side effect is linked to, or '' when none is known. */
export function linkedTreatmentText(effect: Pick<SideEffect, 'linkedTreatments'>): string {
  return [...new Set(effect.linkedTreatments.map((treatment) => treatment.name).filter(Boolean))].join(', ');
}

export function continuationText(value: SideEffect['continuedAfterTreatment']): string {
  switch (value) {
    case 'yes':
      return 'Yes';
    case 'no':
      return 'No';
    case 'unknown':
      return 'Unknown';
  }
}

/** "Active", "Resolved, ended 5 Mar 2024", or ''. */
export function sideEffectStatusText(effect: Pick<SideEffect, 'clinicalStatus' | 'abatement'>, locale?: string): string {
  const status = effect.clinicalStatus ? capitalize(effect.clinicalStatus) : '';
  if (!effect.abatement) return status;
  const when = /^\d{4}/.test(effect.abatement) ? `ended ${formatDate(effect.abatement, locale)}` : effect.abatement;
  return status ? `${status}, ${when}` : capitalize(when);
}

/** "28 (1.8 Gy each)" when the total is known too. */
export function fractionsText(course: Pick<RadiationCourse, 'fractions' | 'totalDoseGy'>, locale?: string): string {
  if (typeof course.fractions !== 'number') return '';
  const count = formatNumber(course.fractions, locale);
  if (typeof course.totalDoseGy !== 'number' || course.fractions <= 0) return count;
  return `${count} (${formatGray(course.totalDoseGy / course.fractions, locale)} each)`;
}

export function courseDates(course: Pick<RadiationCourse, 'startDate' | 'endDate'>, locale?: string): string {
  return formatDateRange(course.startDate, course.endDate, locale);
}
