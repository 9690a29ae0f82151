// Cancer medicines: what makes a drug record part of the cancer treatment summary.
//
// Sources: RxNorm ingredient (TTY=IN) concepts as published by NLM RxNav; generic and
// US brand names from the NCI "Drugs Approved for Cancer" lists and FDA labels, grouped
// by NCI drug class. Names are matched as whole words in lower-cased drug text, so SCD
// codes (e.g. Synthea's "Cisplatin 50 MG Injection") and text-only entries are covered
// by name even when their RxNorm code is not an ingredient.

/** RxNorm ingredient CUI → ingredient name, for records coded without display text. */
export const CANCER_MEDICINE_RXNORM_INGREDIENTS: Readonly<Record<string, string>> = {
  '103': 'mercaptopurine',
  '1251': 'azacitidine',
  '1622': 'bleomycin',
  '1828': 'busulfan',
  '2105': 'carmustine',
  '2346': 'chlorambucil',
  '2555': 'cisplatin',
  '3002': 'cyclophosphamide',
  '3041': 'cytarabine',
  '3108': 'dactinomycin',
  '3109': 'daunorubicin',
  '3639': 'doxorubicin',
  '3995': 'epirubicin',
  '4179': 'etoposide',
  '4492': 'fluorouracil',
  '5552': 'hydroxyurea',
  '5650': 'idarubicin',
  '5657': 'ifosfamide',
  '6313': 'leucovorin',
  '6718': 'melphalan',
  '6851': 'methotrexate',
  '7005': 'mitoxantrone',
  '8702': 'procarbazine',
  '10324': 'tamoxifen',
  '10485': 'thioguanine',
  '11198': 'vinblastine',
  '11202': 'vincristine',
  '12574': 'gemcitabine',
  '15657': 'decitabine',
  '24698': 'fludarabine',
  '32592': 'oxaliplatin',
  '37776': 'temozolomide',
  '39541': 'vinorelbine',
  '40048': 'carboplatin',
  '42375': 'leuprolide',
  '44157': 'cladribine',
  '50610': 'goserelin',
  '51499': 'irinotecan',
  '56946': 'paclitaxel',
  '57308': 'topotecan',
  '68446': 'pemetrexed',
  '72962': 'docetaxel',
  '72965': 'letrozole',
  '83008': 'bicalutamide',
  '84857': 'anastrozole',
  '121191': 'rituximab',
  '134547': 'bendamustine',
  '141704': 'everolimus',
  '194000': 'capecitabine',
  '224905': 'trastuzumab',
  '253337': 'bevacizumab',
  '258494': 'exemestane',
  '282357': 'fulvestrant',
  '282388': 'imatinib',
  '318341': 'cetuximab',
  '328134': 'gefitinib',
  '337525': 'erlotinib',
  '342369': 'lenalidomide',
  '357977': 'sunitinib',
  '358258': 'bortezomib',
  '475230': 'degarelix',
  '480167': 'lapatinib',
  '495881': 'sorafenib',
  '1094833': 'ipilimumab',
  '1100072': 'abiraterone',
  '1298944': 'pertuzumab',
  '1307298': 'enzalutamide',
  '1547545': 'pembrolizumab',
  '1597582': 'olaparib',
  '1597876': 'nivolumab',
  '1601374': 'palbociclib',
  '1721560': 'osimertinib',
  '1792776': 'atezolizumab',
  '1873916': 'ribociclib',
  '1919503': 'durvalumab',
  '1946825': 'abemaciclib',
};

/** Cytotoxic chemotherapy (NCI: antineoplastic agents, conventional). */
const CHEMOTHERAPY = [
  'altretamine', 'amrubicin', 'arsenic', 'asparaginase', 'azacitidine', 'belinostat', 'bendamustine',
  'bleomycin', 'busulfan', 'cabazitaxel', 'calaspargase', 'capecitabine', 'carboplatin', 'carmustine',
  'chlorambucil', 'cisplatin', 'cladribine', 'clofarabine', 'cyclophosphamide', 'cytarabine',
  'dacarbazine', 'dactinomycin', 'daunorubicin', 'decitabine', 'docetaxel', 'doxorubicin', 'epirubicin',
  'eribulin', 'estramustine', 'etoposide', 'floxuridine', 'fludarabine', 'fluorouracil', 'gemcitabine',
  'hydroxyurea', 'idarubicin', 'ifosfamide', 'irinotecan', 'ixabepilone', 'lomustine', 'lurbinectedin',
  'mechlorethamine', 'melphalan', 'mercaptopurine', 'methotrexate', 'mitomycin', 'mitotane', 'mitoxantrone', 'nelarabine',
  'omacetaxine', 'oxaliplatin', 'paclitaxel', 'panobinostat', 'pegaspargase', 'pemetrexed', 'pentostatin',
  'pixantrone', 'pralatrexate', 'procarbazine', 'raltitrexed', 'romidepsin', 'streptozocin', 'tegafur',
  'temozolomide', 'teniposide', 'thioguanine', 'thiotepa', 'tipiracil', 'topotecan', 'trabectedin',
  'treosulfan', 'vinblastine', 'vincristine', 'vinorelbine', 'vorinostat',
] as const;

/** Targeted therapy: kinase inhibitors, other small molecules, antibodies and conjugates. */
const TARGETED_THERAPY = [
  'abemaciclib', 'acalabrutinib', 'adagrasib', 'afatinib', 'alectinib', 'alpelisib', 'amivantamab',
  'asciminib', 'avapritinib', 'axitinib', 'belantamab', 'belzutifan', 'bevacizumab', 'bexarotene',
  'binimetinib', 'blinatumomab', 'bortezomib', 'bosutinib', 'brentuximab', 'brigatinib', 'cabozantinib',
  'capivasertib', 'capmatinib', 'carfilzomib', 'ceritinib', 'cetuximab', 'cobimetinib', 'copanlisib',
  'crizotinib', 'dabrafenib', 'dacomitinib', 'daratumumab', 'dasatinib', 'datopotamab', 'dinutuximab',
  'duvelisib', 'elotuzumab', 'elranatamab', 'enasidenib', 'encorafenib', 'enfortumab', 'ensartinib',
  'entrectinib', 'epcoritamab', 'erdafitinib', 'erlotinib', 'everolimus', 'fedratinib', 'fruquintinib',
  'futibatinib', 'gefitinib', 'gemtuzumab', 'gilteritinib', 'glasdegib', 'glofitamab', 'ibrutinib',
  'idelalisib', 'imatinib', 'inavolisib', 'infigratinib', 'inotuzumab', 'isatuximab', 'ivosidenib',
  'ixazomib', 'lapatinib', 'larotrectinib', 'lazertinib', 'lenalidomide', 'lenvatinib', 'linvoseltamab',
  'loncastuximab', 'lorlatinib', 'margetuximab', 'midostaurin', 'mirvetuximab', 'mobocertinib',
  'mogamulizumab', 'momelotinib', 'mosunetuzumab', 'naxitamab', 'necitumumab', 'neratinib', 'nilotinib',
  'niraparib', 'obinutuzumab', 'olaparib', 'olaratumab', 'olutasidenib', 'osimertinib', 'pacritinib',
  'palbociclib', 'panitumumab', 'pazopanib', 'pemigatinib', 'pertuzumab', 'pexidartinib', 'pirtobrutinib',
  'polatuzumab', 'pomalidomide', 'ponatinib', 'pralsetinib', 'quizartinib', 'ramucirumab', 'regorafenib',
  'repotrectinib', 'revumenib', 'ribociclib', 'ripretinib', 'rituximab', 'rucaparib', 'ruxolitinib',
  'sacituzumab', 'selinexor', 'selpercatinib', 'sonidegib', 'sorafenib', 'sotorasib', 'sunitinib',
  'tafasitamab', 'talazoparib', 'talquetamab', 'tarlatamab', 'tazemetostat', 'teclistamab', 'telisotuzumab',
  'temsirolimus', 'tepotinib', 'thalidomide', 'tisotumab', 'tivozanib', 'tovorafenib', 'trametinib',
  'trastuzumab', 'tucatinib', 'vandetanib', 'vemurafenib', 'venetoclax', 'vismodegib', 'vorasidenib',
  'zanubrutinib', 'zenocutuzumab', 'zolbetuximab',
] as const;

/** Immunotherapy: checkpoint inhibitors, cytokines, cell and viral therapies. */
const IMMUNOTHERAPY = [
  'afamitresgene', 'aldesleukin', 'atezolizumab', 'avelumab', 'axicabtagene', 'brexucabtagene',
  'cemiplimab', 'ciltacabtagene', 'cosibelimab', 'dostarlimab', 'durvalumab', 'idecabtagene', 'ipilimumab',
  'lifileucel', 'lisocabtagene', 'nadofaragene', 'nivolumab', 'nogapendekin', 'obecabtagene',
  'pembrolizumab', 'penpulimab', 'relatlimab', 'retifanlimab', 'sipuleucel', 'talimogene', 'tebentafusp',
  'tislelizumab', 'tisagenlecleucel', 'toripalimab', 'tremelimumab',
] as const;

/** Hormone (endocrine) therapy for cancer. Megestrol and octreotide are left out: mostly supportive. */
const HORMONE_THERAPY = [
  'abiraterone', 'anastrozole', 'apalutamide', 'bicalutamide', 'darolutamide', 'degarelix', 'elacestrant',
  'enzalutamide', 'exemestane', 'flutamide', 'fulvestrant', 'goserelin', 'histrelin', 'letrozole',
  'leuprolide', 'leuprorelin', 'nilutamide', 'relugolix', 'tamoxifen', 'toremifene', 'triptorelin',
] as const;

/**
 * Cancer medicines only given by injection or infusion in clinic, so never on the home list
 * even when an order lacks a route. Antibodies (-mab), fusion proteins (-cept) and cell
 * therapies (-cel) are recognised by their suffix; these are the small molecules.
 */
export const PARENTERAL_ONLY_CANCER_MEDICINES: ReadonlySet<string> = new Set([
  'arsenic', 'asparaginase', 'azacitidine', 'belinostat', 'bendamustine', 'bleomycin', 'bortezomib',
  'cabazitaxel', 'calaspargase', 'carboplatin', 'carfilzomib', 'cisplatin', 'cladribine', 'clofarabine',
  'cytarabine', 'dacarbazine', 'dactinomycin', 'daunorubicin', 'degarelix', 'docetaxel', 'doxorubicin',
  'epirubicin', 'eribulin', 'fludarabine', 'fulvestrant', 'gemcitabine', 'goserelin', 'histrelin',
  'idarubicin', 'ifosfamide', 'irinotecan', 'ixabepilone', 'leuprolide', 'leuprorelin', 'lurbinectedin',
  'mitomycin', 'mitoxantrone', 'nelarabine', 'oxaliplatin', 'paclitaxel', 'pegaspargase', 'pemetrexed',
  'pentostatin', 'pralatrexate', 'romidepsin', 'streptozocin', 'tebentafusp', 'thiotepa', 'trabectedin',
  'triptorelin', 'vinblastine', 'vincristine', 'vinorelbine', 'aldesleukin', 'talimogene', 'sipuleucel',
]);
export const PARENTERAL_ONLY_SUFFIXES = /(mab|cept|cel|gene)$/;
/** Regimen names and class words that mean infused chemo, not a tablet taken at home. */
export const PARENTERAL_REGIMEN_OR_CLASS =
  /folf|capox|xelox|chop|abvd|tchp|ddac|flot|carbo|gem\/cis|5[- ]?fu|t-?dm1|t-?dxd|aflibercept|bcg|chemo|antineoplastic|taxane|anthracycline|platinum|checkpoint|pd-?l?1|alkylating|vinca|topoisomerase/;

/** Drugs given as a component of an anti-cancer regimen (leucovorin in FOLFOX/FOLFIRI). */
const REGIMEN_COMPONENTS = ['leucovorin', 'levoleucovorin', 'folinic'] as const;

/** US brand names → ingredient (FDA labels). Brands that are common words are left out. */
export const CANCER_MEDICINE_BRANDS: Readonly<Record<string, string>> = {
  abecma: 'idecabtagene', abraxane: 'paclitaxel', adcetris: 'brentuximab', adriamycin: 'doxorubicin',
  adrucil: 'fluorouracil', afinitor: 'everolimus', akeega: 'niraparib', alecensa: 'alectinib',
  alimta: 'pemetrexed', alkeran: 'melphalan', alunbrig: 'brigatinib', alymsys: 'bevacizumab',
  arimidex: 'anastrozole', aromasin: 'exemestane', avastin: 'bevacizumab', ayvakit: 'avapritinib',
  balversa: 'erdafitinib', bavencio: 'avelumab', beleodaq: 'belinostat', bendeka: 'bendamustine',
  besponsa: 'inotuzumab', bicnu: 'carmustine', blenrep: 'belantamab', blincyto: 'blinatumomab',
  bosulif: 'bosutinib', braftovi: 'encorafenib', breyanzi: 'lisocabtagene', brukinsa: 'zanubrutinib',
  cabometyx: 'cabozantinib', calquence: 'acalabrutinib', camptosar: 'irinotecan', caprelsa: 'vandetanib',
  carvykti: 'ciltacabtagene', casodex: 'bicalutamide', columvi: 'glofitamab', cometriq: 'cabozantinib',
  copiktra: 'duvelisib', cotellic: 'cobimetinib', cyramza: 'ramucirumab', cytoxan: 'cyclophosphamide',
  dacogen: 'decitabine', danyelza: 'naxitamab', darzalex: 'daratumumab', daurismo: 'glasdegib',
  doxil: 'doxorubicin', elahere: 'mirvetuximab', eligard: 'leuprolide', eloxatin: 'oxaliplatin',
  elrexfio: 'elranatamab', empliciti: 'elotuzumab', enhertu: 'trastuzumab', epkinly: 'epcoritamab',
  erbitux: 'cetuximab', erleada: 'apalutamide', erivedge: 'vismodegib', exkivity: 'mobocertinib',
  fareston: 'toremifene', faslodex: 'fulvestrant', femara: 'letrozole', firmagon: 'degarelix',
  fotivda: 'tivozanib', fruzaqla: 'fruquintinib', gavreto: 'pralsetinib', gazyva: 'obinutuzumab',
  gemzar: 'gemcitabine', gilotrif: 'afatinib', gleevec: 'imatinib', gleostine: 'lomustine',
  halaven: 'eribulin', herceptin: 'trastuzumab', herzuma: 'trastuzumab', hycamtin: 'topotecan',
  hydrea: 'hydroxyurea', ibrance: 'palbociclib', iclusig: 'ponatinib', idhifa: 'enasidenib',
  ifex: 'ifosfamide', imbruvica: 'ibrutinib', imdelltra: 'tarlatamab', imfinzi: 'durvalumab',
  imjudo: 'tremelimumab', imlygic: 'talimogene', inlyta: 'axitinib', inqovi: 'decitabine',
  inrebic: 'fedratinib', iressa: 'gefitinib', istodax: 'romidepsin', ixempra: 'ixabepilone',
  jakafi: 'ruxolitinib', jaypirca: 'pirtobrutinib', jelmyto: 'mitomycin', jemperli: 'dostarlimab',
  jevtana: 'cabazitaxel', kadcyla: 'trastuzumab', kanjinti: 'trastuzumab', keytruda: 'pembrolizumab',
  kimmtrak: 'tebentafusp', kisqali: 'ribociclib', krazati: 'adagrasib', kymriah: 'tisagenlecleucel',
  kyprolis: 'carfilzomib', lenvima: 'lenvatinib', leukeran: 'chlorambucil', libtayo: 'cemiplimab',
  lonsurf: 'tipiracil', loqtorzi: 'toripalimab', lorbrena: 'lorlatinib', lumakras: 'sotorasib',
  lunsumio: 'mosunetuzumab', lupron: 'leuprolide', lynparza: 'olaparib', lysodren: 'mitotane',
  margenza: 'margetuximab', matulane: 'procarbazine', mekinist: 'trametinib', mektovi: 'binimetinib',
  monjuvi: 'tafasitamab', mvasi: 'bevacizumab', mylotarg: 'gemtuzumab', navelbine: 'vinorelbine',
  nerlynx: 'neratinib', nexavar: 'sorafenib', ninlaro: 'ixazomib', nolvadex: 'tamoxifen',
  nubeqa: 'darolutamide', odomzo: 'sonidegib', ogivri: 'trastuzumab', ojemda: 'tovorafenib',
  ojjaara: 'momelotinib', oncovin: 'vincristine', onivyde: 'irinotecan', ontruzant: 'trastuzumab',
  opdivo: 'nivolumab', opdualag: 'relatlimab', orgovyx: 'relugolix', orserdu: 'elacestrant',
  padcev: 'enfortumab', paraplatin: 'carboplatin', pemazyre: 'pemigatinib', perjeta: 'pertuzumab',
  phesgo: 'pertuzumab', piqray: 'alpelisib', platinol: 'cisplatin', polivy: 'polatuzumab',
  pomalyst: 'pomalidomide', portrazza: 'necitumumab', poteligeo: 'mogamulizumab', proleukin: 'aldesleukin',
  provenge: 'sipuleucel', purixan: 'mercaptopurine', qinlock: 'ripretinib', retevmo: 'selpercatinib',
  revlimid: 'lenalidomide', rezlidhia: 'olutasidenib', riabni: 'rituximab', rituxan: 'rituximab',
  rozlytrek: 'entrectinib', rubraca: 'rucaparib', ruxience: 'rituximab', rybrevant: 'amivantamab',
  rydapt: 'midostaurin', sarclisa: 'isatuximab', scemblix: 'asciminib', soltamox: 'tamoxifen',
  sprycel: 'dasatinib', stivarga: 'regorafenib', sutent: 'sunitinib', synribo: 'omacetaxine',
  tabrecta: 'capmatinib', tafinlar: 'dabrafenib', tagrisso: 'osimertinib', talvey: 'talquetamab',
  talzenna: 'talazoparib', tarceva: 'erlotinib', targretin: 'bexarotene', tasigna: 'nilotinib',
  taxol: 'paclitaxel', taxotere: 'docetaxel', tazverik: 'tazemetostat', tecartus: 'brexucabtagene',
  tecentriq: 'atezolizumab', tecvayli: 'teclistamab', temodar: 'temozolomide', tepmetko: 'tepotinib',
  tevimbra: 'tislelizumab', thalomid: 'thalidomide', tibsovo: 'ivosidenib', tivdak: 'tisotumab',
  torisel: 'temsirolimus', trazimera: 'trastuzumab', treanda: 'bendamustine', trelstar: 'triptorelin',
  trodelvy: 'sacituzumab', truqap: 'capivasertib', truseltiq: 'infigratinib', truxima: 'rituximab',
  tukysa: 'tucatinib', turalio: 'pexidartinib', tykerb: 'lapatinib', unituxin: 'dinutuximab',
  vanflyta: 'quizartinib', vectibix: 'panitumumab', vegzelma: 'bevacizumab', velcade: 'bortezomib',
  venclexta: 'venetoclax', verzenio: 'abemaciclib', vidaza: 'azacitidine', vitrakvi: 'larotrectinib',
  vonjo: 'pacritinib', voranigo: 'vorasidenib', votrient: 'pazopanib', welireg: 'belzutifan',
  xalkori: 'crizotinib', xeloda: 'capecitabine', xospata: 'gilteritinib', xpovio: 'selinexor',
  xtandi: 'enzalutamide', yervoy: 'ipilimumab', yescarta: 'axicabtagene', yondelis: 'trabectedin',
  yonsa: 'abiraterone', zaltrap: 'ziv-aflibercept', zanosar: 'streptozocin', zejula: 'niraparib',
  zelboraf: 'vemurafenib', zepzelca: 'lurbinectedin', zirabev: 'bevacizumab', zoladex: 'goserelin',
  zolinza: 'vorinostat', zydelig: 'idelalisib', zykadia: 'ceritinib', zynlonta: 'loncastuximab',
  zynyz: 'retifanlimab', zytiga: 'abiraterone',
};

export const CANCER_MEDICINE_CLASSES = {
  chemotherapy: CHEMOTHERAPY,
  targeted: TARGETED_THERAPY,
  immunotherapy: IMMUNOTHERAPY,
  hormone: HORMONE_THERAPY,
  regimenComponent: REGIMEN_COMPONENTS,
} as const;

/** Every ingredient word that marks a cancer medicine (brands resolve to these). */
export const CANCER_MEDICINE_WORDS: ReadonlySet<string> = new Set<string>([
  ...CHEMOTHERAPY,
  ...TARGETED_THERAPY,
  ...IMMUNOTHERAPY,
  ...HORMONE_THERAPY,
  ...REGIMEN_COMPONENTS,
  ...Object.keys(CANCER_MEDICINE_BRANDS),
]);

/** Names that are not one plain word: abbreviations, regimen names, intravesical BCG (not the TB vaccine). */
export const CANCER_MEDICINE_PHRASES =
  /\b(m?folfox\d*|folfiri|folfirinox|folfoxiri|capox|xelox|r-?chop|abvd|tchp|ddac|flot|carbo\/taxol|gem\/cis)\b|\b5[- ]?fu\b|\bt-?dm1\b|\bt-?dxd\b|\bziv-aflibercept\b|\bbcg\b[^|]*\bintravesical|\bintravesical\b[^|]*\bbcg\b|\btice\b[^|]*\bbcg\b/;

/** Drug-class words in allergen and product names ("Taxanes", "chemo infusion"). */
export const CANCER_MEDICINE_CLASS_WORDS =
  /\bantineoplastic|\bchemo(therapy)?\b|\btaxanes?\b|\banthracyclines?\b|\bplatinum (compounds?|agents?|salts?)|\baromatase inhibitors?|\bantiestrogens?\b|\bcheckpoint inhibitors?|\bpd-?l?1 (inhibitor|blocker)|\btyrosine kinase inhibitors?|\balkylating agents?|\bvinca alkaloids?|\btopoisomerase inhibitors?|\bcdk ?4\/6 inhibitors?|\bparp inhibitors?|\bantiandrogens?\b/;

/** Class words don't count when the text is about managing chemo, not giving it. */
export const SUPPORTIVE_CONTEXT =
  /nausea|vomit|emesis|antiemetic|induced|premed|pre-med|prophyla|supportive|rescue|protect|extravasation|mucositis|mouthwash|flush|\bport\b|\block\b/;

/** Steroids count only when the record shows them in the anti-cancer regimen (rule 16). */
export const ANTICANCER_STEROIDS: ReadonlySet<string> = new Set([
  'dexamethasone',
  'prednisone',
  'prednisolone',
  'methylprednisolone',
]);

/** Regimen names that include a lymphotoxic steroid (NCCN regimen abbreviations). */
export const STEROID_REGIMENS =
  /\b(r-?chop|chop|r-?cvp|cvp|da-?epoch|epoch|hyper-?cvad|vrd|rvd|krd|drd|dara-?rd|dvrd|d-?vrd|kd|dkd|pd|isa-?pd|epd|vcd|cybord|mpt|vmp|rd|beacopp|escbeacopp|pomp|mopp|chlvpp|abvd|dvd|elo-?rd)\b|with abiraterone|abiraterone|myeloma regimen|lymphoma regimen/;

/** Steroid given to manage chemo, not to treat the cancer (rule 17). */
export const STEROID_SUPPORTIVE_USE =
  /\b(?:premed|pre-med|prior to|before (chemo|infusion|treatment)|antiemetic|nausea|vomit|emesis|prophyla|edema|swelling|brain met|allerg|reaction|hypersensitiv|appetite|pain|taper|asthma|copd|rash)/;

/** Methotrexate is a cancer drug in high or intrathecal doses; weekly low doses treat arthritis (rule 18). */
export const METHOTREXATE = 'methotrexate';
/** Highest single methotrexate dose (mg) that is still the low-dose autoimmune regimen. */
export const METHOTREXATE_LOW_DOSE_MAX_MG = 30;

/** Routes that make a cancer drug a local non-cancer treatment (intravitreal bevacizumab, 5-FU cream). */
export const NON_SYSTEMIC_ROUTES = /intravitreal|intraocular|ophthalmic|\beye\b|topical|cutaneous|\bskin\b|\bcream\b|ointment/;

/** Product forms that are local treatments (eye injections, creams), not systemic cancer therapy. */
export const NON_SYSTEMIC_PRODUCTS = /intravitreal|ophthalmic|topical|\bcream\b|ointment/;

/** Methotrexate routes used only in cancer doses. */
export const METHOTREXATE_CANCER_ROUTES = /intravenous|\biv\b|intrathecal|intra-?arterial|infusion/;

/** Blood cancers that steroids treat directly (myeloma, lymphoma, leukemia regimens). */
export const STEROID_RESPONSIVE_CANCERS = /myeloma|lymphoma|leuka?emia/;

/** Routes and dosing words of drugs given by staff (infusions, injections in clinic). */
export const STAFF_GIVEN_ROUTE =
  /intravenous|\biv\b|\bivpb\b|iv push|iv piggyback|infusion|infuse|intra-?arterial|intrathecal|intravesical|intravitreal|intraperitoneal|intrapleural|intramuscular|\bim\b|intralesional|epidural|intra-?articular|(given|administered|administer) (in|at) (the )?(clinic|office|infusion)/;
/** Drug product words of IV preparations ("… in sodium chloride 0.9% 250 mL"). */
export const IV_PREPARATION = /\bivpb\b|in sodium chloride|in dextrose|\bnacl\b|infusion|iv push|intravenous|\bin d5w\b/;
/** Parenteral product forms: for cancer drugs these are given in clinic. */
export const INJECTABLE_FORM = /inject|\bvial\b|solution for infusion|\bsubcutaneous\b|\bsubq\b|\bsc\b|intramuscular|implant|depot/;
/** Categories that mean the drug is given by staff, not taken at home. */
export const STAFF_GIVEN_CATEGORY =
  /clinic administered|office administered|facility administered|administered in (clinic|office|hospital)|in[- ]clinic|infusion (center|suite)|inpatient|hospital administered/;

/** Indications that are not cancer, for drugs also used outside oncology (rule 18). */
export const NON_CANCER_INDICATIONS =
  /\b(?:arthritis|rheumat|psoria|lupus|\bsle\b|crohn|ulcerative colitis|inflammatory bowel|multiple sclerosis|macular|retinopath|diabetic macular|endometriosis|fibroid|leiomyoma of uterus|infertil|ovulation|\bpcos\b|polycystic ovar|puberty|sickle|vasculitis|granulomatosis|nephrotic|glomerulo|myasthenia|ectopic|abortion|\bwarts?\b|actinic keratosis|gynecomastia|pterygium|glaucoma|organ transplant|kidney transplant|renal transplant|liver transplant|heart transplant|lung transplant|graft rejection|dermatomyositis|sarcoidosis|uveitis|pemphig|alopecia|gender|transgender|osteoporosis)|arthritis/;

/** Words that tie a reason or note to cancer. */
export const CANCER_WORDS =
  /\b(?:cancer|carcinoma|malignan|neoplasm|tumou?r|lymphoma|leuka?emia|myeloma|sarcoma|melanoma|metasta|oncolog|blastoma|glioma|mesothelioma|myelodysplas|\bmds\b|myelofibrosis|polycythemia vera|thrombocythemia|carcinoid|neuroendocrine|\bcll\b|\bcml\b|\baml\b|\bnsclc\b|\bsclc\b|\bdcis\b|\bbrca\b|seminoma|germ cell|adenocarcinoma)|carcinoma|blastoma|sarcoma|glioma/;

/** ICD-10-CM codes that say "cancer" in a reason: neoplasms C00–D49 plus cancer status codes. */
export const CANCER_ICD10_PREFIXES: readonly string[] = [
  'C', 'D0', 'D1', 'D2', 'D3', 'D4', 'Z85', 'Z86.0', 'Z51.0', 'Z51.1', 'Z17', 'Z92.2', 'Z92.3', 'Z08',
  'Z15', 'Z80', 'Z79.81', 'R97',
];

/** Products on a medication list that are supplies, not medicines. */
export const MEDICAL_SUPPLIES =
  /\b(?:test strips?|\blancets?\b|\bsyringes?\b|pen needles?|\bneedles?\b|glucometer|glucose meter|blood glucose monitor|\bsupplies\b|\bsupply\b|\bcuff\b|nebulizer machine|wheelchair|\bwalker\b|\bcane\b|ostomy (bag|pouch|wafer)|\bgauze\b|\bbandages?\b|alcohol (pads?|swabs?|prep)|sharps container|compression stocking|incontinence|\bdiapers?\b)/;
