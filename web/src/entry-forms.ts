// The "Add to my binder" forms: plain questions in, the FHIR resource POST /api/entries takes out,
// and back again to edit an entry. The server sets who it is about and from. Pure: unit-tested in Node.
import type { Entry, EntryInput } from './types.js';

/** The patient's answer to "did it continue after treatment?" (src/records/patient-entered.ts). */
export const CONTINUED_URL = 'https://carebinder.example.org/fhir/StructureDefinition/continued-after-treatment';

export type EntryKind = 'medicine' | 'side-effect' | 'problem' | 'vaccine' | 'test';
export type FormValues = Record<string, string>;

export interface FieldSpec {
  name: string;
  label: string;
  type: 'text' | 'number' | 'date' | 'select' | 'textarea';
  required?: boolean;
  hint?: string;
  /** For a select: [value, label]. */
  options?: ReadonlyArray<readonly [string, string]>;
}

const YES_NO_UNSURE = [
  ['', 'Not sure'],
  ['yes', 'Yes'],
  ['no', 'No'],
] as const;

/** How often, as FHIR Timing.repeat: [value, label, frequency, period, unit]. */
const HOW_OFTEN = [
  ['1/d', 'Once a day', 1, 1, 'd'],
  ['2/d', 'Twice a day', 2, 1, 'd'],
  ['3/d', 'Three times a day', 3, 1, 'd'],
  ['4/d', 'Four times a day', 4, 1, 'd'],
  ['1/wk', 'Once a week', 1, 1, 'wk'],
  ['1/mo', 'Once a month', 1, 1, 'mo'],
] as const;

export const KINDS: ReadonlyArray<{ kind: EntryKind; title: string; fields: readonly FieldSpec[] }> = [
  {
    kind: 'medicine',
    title: 'A medicine, vitamin or supplement',
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true, hint: 'e.g. Vitamin D3' },
      { name: 'dose', label: 'Dose (amount)', type: 'number' },
      { name: 'unit', label: 'Dose (unit)', type: 'text', hint: 'e.g. mg, IU, tablets' },
      { name: 'often', label: 'How often', type: 'select', options: [['', 'Not said'], ...HOW_OFTEN.map(([v, l]) => [v, l] as const), ['prn', 'When needed']] },
      { name: 'since', label: 'Taking it since', type: 'date' },
      { name: 'taking', label: 'Still taking it?', type: 'select', options: [['yes', 'Yes'], ['no', 'No, stopped']] },
      { name: 'notes', label: 'Notes', type: 'textarea' },
    ],
  },
  {
    kind: 'side-effect',
    title: 'A side effect of treatment',
    fields: [
      { name: 'what', label: 'What side effect', type: 'text', required: true },
      { name: 'start', label: 'When it started', type: 'date' },
      { name: 'treatment', label: 'Which treatment do you think caused it?', type: 'text' },
      { name: 'continued', label: 'Did it continue after that treatment ended?', type: 'select', options: YES_NO_UNSURE },
      { name: 'now', label: 'Is it still there now?', type: 'select', options: YES_NO_UNSURE },
    ],
  },
  {
    kind: 'problem',
    title: 'A health problem',
    fields: [
      { name: 'what', label: 'Health problem', type: 'text', required: true },
      { name: 'since', label: 'Since', type: 'date' },
      { name: 'gone', label: 'Gone since (if it has gone)', type: 'date' },
      { name: 'notes', label: 'Notes', type: 'textarea' },
    ],
  },
  {
    kind: 'vaccine',
    title: 'A vaccine',
    fields: [
      { name: 'name', label: 'Vaccine', type: 'text', required: true },
      { name: 'date', label: 'Date given', type: 'date' },
      { name: 'notes', label: 'Notes', type: 'textarea' },
    ],
  },
  {
    kind: 'test',
    title: 'A test result',
    fields: [
      { name: 'name', label: 'Test', type: 'text', required: true },
      { name: 'value', label: 'Result', type: 'text', required: true, hint: 'A number, or words' },
      { name: 'unit', label: 'Unit', type: 'text' },
      { name: 'date', label: 'Date of the test', type: 'date' },
      { name: 'notes', label: 'Notes', type: 'textarea' },
    ],
  },
];

export const KIND_OF_TYPE: Record<Entry['resourceType'], EntryKind> = {
  MedicationStatement: 'medicine',
  AdverseEvent: 'side-effect',
  Condition: 'problem',
  Immunization: 'vaccine',
  Observation: 'test',
};

const words = (value: string | undefined) => (value ?? '').trim();
const notes = (v: FormValues) => (words(v.notes) ? { note: [{ text: words(v.notes) }] } : {});
const concept = (text: string) => ({ text });

/** The text of "1000 IU, twice a day". */
export function doseText(v: FormValues): string {
  const amount = [words(v.dose), words(v.unit)].filter(Boolean).join(' ');
  const often = v.often === 'prn' ? 'when needed' : (HOW_OFTEN.find(([value]) => value === v.often)?.[1].toLowerCase() ?? '');
  return [amount, often].filter(Boolean).join(', ');
}

/** The first required question left empty, or null. */
export function missingField(kind: EntryKind, v: FormValues): FieldSpec | null {
  return KINDS.find((k) => k.kind === kind)?.fields.find((field) => field.required && !words(v[field.name])) ?? null;
}

export function toFhir(kind: EntryKind, v: FormValues): EntryInput {
  switch (kind) {
    case 'medicine': {
      const timing = HOW_OFTEN.find(([value]) => value === v.often);
      const dose = Number(words(v.dose));
      const dosage = {
        ...(doseText(v) ? { text: doseText(v) } : {}),
        ...(timing ? { timing: { repeat: { frequency: timing[2], period: timing[3], periodUnit: timing[4] } } } : {}),
        ...(v.often === 'prn' ? { asNeededBoolean: true } : {}),
        ...(words(v.dose) && Number.isFinite(dose) ? { doseAndRate: [{ doseQuantity: { value: dose, ...(words(v.unit) ? { unit: words(v.unit) } : {}) } }] } : {}),
      };
      return {
        resourceType: 'MedicationStatement',
        status: v.taking === 'no' ? 'stopped' : 'active',
        medicationCodeableConcept: concept(words(v.name)),
        ...(v.since ? { effectivePeriod: { start: v.since } } : {}),
        ...(Object.keys(dosage).length ? { dosage: [dosage] } : {}),
        ...notes(v),
      };
    }
    case 'side-effect':
      return {
        resourceType: 'AdverseEvent',
        actuality: 'actual',
        event: concept(words(v.what)),
        ...(v.start ? { date: v.start } : {}),
        ...(words(v.treatment) ? { suspectEntity: [{ instance: { display: words(v.treatment) } }] } : {}),
        ...(v.now ? { outcome: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-outcome', code: v.now === 'yes' ? 'ongoing' : 'resolved' }] } } : {}),
        ...(v.continued ? { extension: [{ url: CONTINUED_URL, valueBoolean: v.continued === 'yes' }] } : {}),
      };
    case 'problem':
      return {
        resourceType: 'Condition',
        code: concept(words(v.what)),
        ...(v.since ? { onsetDateTime: v.since } : {}),
        ...(v.gone ? { abatementDateTime: v.gone } : {}),
        ...notes(v),
      };
    case 'vaccine':
      return {
        resourceType: 'Immunization',
        status: 'completed',
        vaccineCode: concept(words(v.name)),
        ...(v.date ? { occurrenceDateTime: v.date } : { occurrenceString: 'Date not known' }),
        ...notes(v),
      };
    case 'test': {
      const value = words(v.value);
      const number = Number(value.replace(',', '.'));
      return {
        resourceType: 'Observation',
        status: 'final',
        code: concept(words(v.name)),
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'Laboratory' }] }],
        ...(v.date ? { effectiveDateTime: v.date } : {}),
        ...(value !== '' && Number.isFinite(number) ? { valueQuantity: { value: number, ...(words(v.unit) ? { unit: words(v.unit) } : {}) } } : { valueString: [value, words(v.unit)].filter(Boolean).join(' ') }),
        ...notes(v),
      };
    }
  }
}

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(obj) : []);
const str = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');
const conceptWords = (value: unknown): string => str(obj(value).text) || str(list(obj(value).coding)[0]?.display);
const day = (value: unknown): string => str(value).slice(0, 10);
const noteText = (r: Json): string => list(r.note).map((n) => str(n.text)).join('\n');

/** An entry's resource back as the answers to its form. */
export function fromFhir(entry: Pick<Entry, 'resourceType' | 'resource'>): { kind: EntryKind; values: FormValues } {
  const r = entry.resource;
  const kind = KIND_OF_TYPE[entry.resourceType];
  switch (kind) {
    case 'medicine': {
      const dosage = list(r.dosage)[0] ?? {};
      const repeat = obj(obj(dosage.timing).repeat);
      const often = dosage.asNeededBoolean === true ? 'prn' : (HOW_OFTEN.find(([, , f, p, u]) => repeat.frequency === f && repeat.period === p && repeat.periodUnit === u)?.[0] ?? '');
      const quantity = obj(list(dosage.doseAndRate)[0]?.doseQuantity);
      return {
        kind,
        values: {
          name: conceptWords(r.medicationCodeableConcept),
          dose: str(quantity.value),
          unit: str(quantity.unit),
          often,
          since: day(obj(r.effectivePeriod).start ?? r.effectiveDateTime),
          taking: r.status === 'active' || r.status === 'intended' ? 'yes' : 'no',
          notes: noteText(r),
        },
      };
    }
    case 'side-effect': {
      const continued = list(r.extension).find((e) => e.url === CONTINUED_URL)?.valueBoolean;
      const outcome = str(list(obj(r.outcome).coding)[0]?.code);
      return {
        kind,
        values: {
          what: conceptWords(r.event),
          start: day(r.date ?? r.detected),
          treatment: list(r.suspectEntity)
            .map((s) => str(obj(s.instance).display))
            .filter(Boolean)
            .join(', '),
          continued: continued === true ? 'yes' : continued === false ? 'no' : '',
          now: outcome === 'ongoing' || outcome === 'recovering' ? 'yes' : outcome ? 'no' : '',
        },
      };
    }
    case 'problem':
      return { kind, values: { what: conceptWords(r.code), since: day(r.onsetDateTime), gone: day(r.abatementDateTime), notes: noteText(r) } };
    case 'vaccine':
      return { kind, values: { name: conceptWords(r.vaccineCode), date: day(r.occurrenceDateTime), notes: noteText(r) } };
    case 'test': {
      const quantity = obj(r.valueQuantity);
      return {
        kind,
        values: {
          name: conceptWords(r.code),
          value: str(quantity.value) || str(r.valueString) || conceptWords(r.valueCodeableConcept),
          unit: str(quantity.unit),
          date: day(r.effectiveDateTime),
          notes: noteText(r),
        },
      };
    }
  }
}

/** One line under an entry's title: the dose, or whether a side effect continued. */
export function entrySummary(entry: Pick<Entry, 'resourceType' | 'resource'>): string {
  const { kind, values } = fromFhir(entry);
  switch (kind) {
    case 'medicine':
      return [doseText(values), values.taking === 'no' ? 'stopped' : ''].filter(Boolean).join(' · ');
    case 'side-effect':
      return [
        values.treatment ? `after ${values.treatment}` : '',
        values.continued ? `continued after treatment: ${values.continued}` : '',
        values.now === 'yes' ? 'still there' : values.now === 'no' ? 'gone' : '',
      ]
        .filter(Boolean)
        .join(' · ');
    case 'problem':
      return values.gone ? 'gone' : '';
    case 'vaccine':
      return '';
    case 'test':
      return [values.value, values.unit].filter(Boolean).join(' ');
  }
}
