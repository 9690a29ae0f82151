// Encounter classes of a stay in hospital (rule 14). Sources: HL7 v3 ActCode encounter
// classes (terminology.hl7.org/ValueSet/encounter-class) and HL7 v2 table 0004 patient class.

/** Inpatient, acute, non-acute and observation stays. AMB, EMER, SS (short stay), HH, VR are not. */
export const INPATIENT_ACT_CODES: ReadonlySet<string> = new Set(['IMP', 'ACUTE', 'NONAC', 'OBSENC']);

/** v2-0004: I = inpatient (O outpatient, E emergency, … are not). */
export const INPATIENT_V2_CLASSES: ReadonlySet<string> = new Set(['I']);
