// Vaccines (rule 30). Every completed Immunization is a vaccine whatever its code, so
// codes here only recognise vaccines recorded as medicines (MedicationAdministration,
// MedicationRequest). Sources: CDC CVX code set (any CVX code is a vaccine), CPT vaccine
// products 90476–90759 (procedures.ts), and vaccine names from the CDC vaccine list.

/** Vaccine and toxoid names in drug text. BCG counts only as a vaccine, not intravesical BCG. */
export const VACCINE_WORDS =
  /\b(?:vaccin|\btoxoid|immunization|\btdap\b|\bdtap\b|\btd \(adult\)|tetanus|diphtheria|\bmmr\b|\bhpv\b[^|]*(vaccine|9-valent|quadrivalent)|gardasil|shingrix|zostavax|\bppsv ?23\b|\bpcv ?(13|15|20|21)\b|pneumovax|prevnar|vaxneuvance|capvaxive|fluzone|flucelvax|fluarix|flulaval|afluria|fluad|flublok|flumist|engerix|heplisav|recombivax|havrix|vaqta|twinrix|boostrix|adacel|menactra|menveo|menquadfi|bexsero|trumenba|penbraya|varivax|proquad|arexvy|abrysvo|mresvia|comirnaty|spikevax|novavax|mrna-1273|bnt162b2|influenza virus|typhim|vivotif|ixiaro|imovax|rabavert|jynneos|ervebo|dengvaxia|ixchiq)/;
