import { describe, expect, it } from 'vitest';

import { extractBinderFields } from '../../../src/records/binder-fields.js';
import { readableQuantity, readableTitle, readableUnit } from '../../../src/records/display.js';

describe('readableUnit', () => {
  it.each([
    ['[iU]', 'IU'],
    ['[IU]/L', 'IU/L'],
    ['10*3/uL', '×10³/µL'],
    ['10*9/L', '×10⁹/L'],
    ['10*6/uL', '×10⁶/µL'],
    ['mm[Hg]', 'mmHg'],
    ['{cells}/uL', '/µL'],
    ['{score}', ''],
    ['mL/min/{1.73_m2}', 'mL/min/1.73 m²'],
    ['ug/L', 'µg/L'],
    ['umol/L', 'µmol/L'],
    ['mg/m2', 'mg/m²'],
    ['kg/m2', 'kg/m²'],
    ['Cel', '°C'],
    ['[degF]', '°F'],
    ['[in_i]', 'in'],
    ['[lb_av]', 'lb'],
    ['mg/d', 'mg/day'],
    ['d', 'days'],
    ['1', ''],
    ['%', '%'],
    ['U/mL', 'U/mL'],
    ['g/dL', 'g/dL'],
    ['cGy', 'cGy'],
  ])('reads the UCUM unit %s as "%s"', (ucum, readable) => {
    expect(readableUnit(ucum)).toBe(readable);
  });

  it.each(['tablet', 'units', 'puff(s)', 'mcg', 'mmHg', 'IU'])('keeps the unit a person wrote, %s, as it is', (words) => {
    expect(readableUnit(words)).toBe(words);
  });
});

describe('readableQuantity', () => {
  it.each([
    [2000, '[iU]', undefined, '2,000 IU'],
    [0.4, '10*3/uL', undefined, '0.4 ×10³/µL'],
    [12.5, '%', undefined, '12.5%'],
    [5, 'mg/L', '<', '< 5 mg/L'],
    [21, 'U/mL', undefined, '21 U/mL'],
    [3, '{score}', undefined, '3'],
  ])('shows %s %s as "%s"', (amount, unit, comparator, shown) => {
    expect(readableQuantity(amount, unit, comparator)).toBe(shown);
  });
});

describe('readableTitle', () => {
  it.each([
    ['MAMMO SCREENING BILATERAL W CAD', 'Mammo screening bilateral W CAD'],
    ['MRI BREAST BILATERAL W WO CONTRAST', 'MRI breast bilateral W WO contrast'],
    ['NM PET/CT SKULL BASE-MID THIGH', 'NM PET/CT skull base-mid thigh'],
    ['US BREAST RIGHT LIMITED', 'US breast right limited'],
    ['CT CHEST W/WO CONTRAST L/R', 'CT chest W/WO contrast L/R'],
    ['SURGICAL PATHOLOGY - BREAST CORE BIOPSY', 'Surgical pathology - breast core biopsy'],
    ['ECG 12-LEAD', 'ECG 12-lead'],
    ['HER2 FISH 1ST SPECIMEN', 'HER2 FISH 1st specimen'],
  ])('shows the all-caps title %s as "%s"', (shouted, readable) => {
    expect(readableTitle(shouted)).toBe(readable);
  });

  it.each(['CT Chest/Abd/Pelvis w/ Contrast', 'H&P', 'CBC', 'lisinopril (ZESTRIL) 10 mg tablet'])('keeps the title %s as written', (title) => {
    expect(readableTitle(title)).toBe(title);
  });
});

describe('binder fields show readable units and titles', () => {
  it('reads a vaccine dose of "2000 [iU]" as 2,000 IU', () => {
    const fields = extractBinderFields({ resourceType: 'Immunization', status: 'completed', vaccineCode: { text: 'Vitamin' }, doseQuantity: { value: 2000, unit: '[iU]' } });
    expect(fields.dose).toMatchObject({ amount: 2000, unit: 'IU', display: '2,000 IU' });
  });

  it('reads a white cell count with its UCUM code only as ×10³/µL', () => {
    const fields = extractBinderFields({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'WBC' },
      valueQuantity: { value: 0.4, system: 'http://unitsofmeasure.org', code: '10*3/uL' },
    });
    expect(fields.value).toMatchObject({ value: 0.4, unit: '×10³/µL', display: '0.4 ×10³/µL' });
  });

  it('puts an all-caps title in readable case, but not a patient name', () => {
    expect(extractBinderFields({ resourceType: 'ImagingStudy', status: 'available', description: 'MRI BREAST BILATERAL W WO CONTRAST' }).title).toBe('MRI breast bilateral W WO contrast');
    expect(extractBinderFields({ resourceType: 'Patient', name: [{ text: 'MARLOWE, JANE E' }] }).title).toBe('MARLOWE, JANE E');
  });

  it("reads an imaging study's modality, series and instances, and a report's conclusion", () => {
    const study = extractBinderFields({
      resourceType: 'ImagingStudy',
      status: 'available',
      modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'MG', display: 'Mammography' }],
      series: [
        { uid: '1', modality: { code: 'MG' }, numberOfInstances: 4 },
        { uid: '2', modality: { code: 'SR' }, numberOfInstances: 1 },
      ],
    });
    expect(study.study).toEqual({ modalities: ['Mammography'], series: 2, instances: 5 });
    expect(extractBinderFields({ resourceType: 'DiagnosticReport', status: 'final', code: { text: 'CT' }, conclusion: 'No evidence of metastatic disease.' }).conclusion).toBe(
      'No evidence of metastatic disease.',
    );
  });
});
