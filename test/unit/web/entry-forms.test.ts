// The "Add to my binder" forms: every form builds a resource the server's contract accepts, and an
// entry read back fills its form with the same answers.
import { describe, expect, it } from 'vitest';
import { EntryInput } from '../../../src/api/entries.js';
import { CATEGORIES, CATEGORY_IDS } from '../../../src/records/categories.js';
import { CONTINUED_AFTER_TREATMENT_URL } from '../../../src/records/patient-entered.js';
import { CATEGORY_CHOICES } from '../../../web/src/categories.js';
import { CONTINUED_URL, doseText, entrySummary, fromFhir, KINDS, missingField, toFhir, type EntryKind, type FormValues } from '../../../web/src/entry-forms.js';
import type { Entry } from '../../../web/src/types.js';

const answers: Record<EntryKind, FormValues> = {
  medicine: { name: 'Vitamin D3', dose: '1000', unit: 'IU', often: '1/d', since: '2024-01-05', taking: 'yes', notes: 'with breakfast' },
  'side-effect': { what: 'Numb fingers', start: '2024-02-15', treatment: 'Paclitaxel', continued: 'yes', now: 'no' },
  problem: { what: 'High blood pressure', since: '2015-03-01', gone: '', notes: '' },
  vaccine: { name: 'Flu vaccine', date: '2023-10-02', notes: '' },
  test: { name: 'Fasting glucose', value: '5.4', unit: 'mmol/L', date: '2024-05-02', notes: '' },
};

const asEntry = (kind: EntryKind, values: FormValues) => {
  const resource = EntryInput.parse(toFhir(kind, values)) as unknown as Entry['resource'];
  return { resourceType: resource.resourceType as Entry['resourceType'], resource };
};

describe('entry forms', () => {
  it.each(KINDS.map((k) => k.kind))('should build a %s the server contract accepts, and read it back into the same answers', (kind) => {
    const entry = asEntry(kind, answers[kind]);
    const back = fromFhir(entry);
    expect(back.kind).toBe(kind);
    for (const [name, value] of Object.entries(answers[kind])) expect(back.values[name] ?? '', name).toBe(value);
  });

  it('should write the dose and how often as text, timing and quantity', () => {
    const resource = toFhir('medicine', answers.medicine) as { dosage: unknown[]; status: string };
    expect(resource.status).toBe('active');
    expect(resource.dosage).toEqual([{ text: '1000 IU, once a day', timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } }, doseAndRate: [{ doseQuantity: { value: 1000, unit: 'IU' } }] }]);
    expect(doseText({ dose: '2', unit: 'tablets', often: 'prn' })).toBe('2 tablets, when needed');
    expect((toFhir('medicine', { name: 'Ibuprofen', taking: 'no' }) as { status: string }).status).toBe('stopped');
  });

  it('should say whether a side effect continued only when the patient answered', () => {
    expect(CONTINUED_URL).toBe(CONTINUED_AFTER_TREATMENT_URL);
    expect(toFhir('side-effect', { what: 'Tiredness', continued: 'no' })).toMatchObject({ extension: [{ url: CONTINUED_URL, valueBoolean: false }] });
    expect(toFhir('side-effect', { what: 'Tiredness', continued: '' })).not.toHaveProperty('extension');
    expect(entrySummary(asEntry('side-effect', answers['side-effect']))).toBe('after Paclitaxel · continued after treatment: yes · gone');
  });

  it('should keep words as words and a vaccine without a date as "not known"', () => {
    expect(toFhir('test', { name: 'Urine test', value: 'normal' })).toMatchObject({ valueString: 'normal' });
    expect(toFhir('test', { name: 'HbA1c', value: '6,1', unit: '%' })).toMatchObject({ valueQuantity: { value: 6.1, unit: '%' } });
    expect(EntryInput.parse(toFhir('vaccine', { name: 'Tetanus' }))).toMatchObject({ occurrenceString: 'Date not known' });
  });

  it('should name the first required answer left empty', () => {
    expect(missingField('test', { name: 'Glucose', value: ' ' })?.name).toBe('value');
    expect(missingField('medicine', { name: 'Vitamin C' })).toBeNull();
  });

  it('should offer the leaflet categories in its order and words', () => {
    expect(CATEGORY_CHOICES).toEqual(CATEGORY_IDS.map((id) => [id, CATEGORIES[id].title]));
  });
});
