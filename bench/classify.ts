// `npm run bench:classify`: classifies 100,000 NDJSON resources on one core and prints
// throughput beside a baseline measured in the same run (JSON.parse plus a one-field
// rule over the same lines). Last line: `bench:classify rps=<n> baseline_rps=<n> …`.
// Beside it, the web client's markup tidying (web/src/markup.ts) on hostile input that a
// backtracking pattern would take seconds on, against one lower-casing pass over the same text
// (markup_hostile_ms / markup_baseline_ms: the former stays within a small multiple of the latter).
//
// The 100,000 cycle through the dev corpus (test/fixtures/corpus) and
// synthetic variants of it: new ids, text-only copies (codings removed, so the text
// fallbacks run) and upper-cased copies, so no single resource dominates.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { classify } from '../src/records/classify/index.js';
import { stripEventHandlerAttributes } from '../web/src/markup.js';

const RESOURCE_COUNT = 100_000;
const TIMED_RUNS = 5;

const CORPUS_DIR = fileURLToPath(new URL('../test/fixtures/corpus/', import.meta.url));

/** A few resources of different kinds, for when the shared corpus is not beside the repo. */
const FALLBACK_RESOURCES: unknown[] = [
  { resourceType: 'Condition', id: 'c', verificationStatus: { coding: [{ code: 'confirmed' }] }, code: { text: 'Type 2 diabetes' } },
  { resourceType: 'Observation', id: 'o', status: 'final', category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }], code: { coding: [{ system: 'http://loinc.org', code: '2345-7', display: 'Glucose' }] } },
  { resourceType: 'MedicationRequest', id: 'm', status: 'active', medicationCodeableConcept: { text: 'capecitabine 500 mg tablet' } },
  { resourceType: 'Procedure', id: 'p', status: 'completed', code: { text: 'Laparoscopic sigmoid colectomy' } },
  { resourceType: 'DiagnosticReport', id: 'd', status: 'final', code: { text: 'CT chest with contrast' } },
  { resourceType: 'Immunization', id: 'i', status: 'completed', vaccineCode: { text: 'Influenza' } },
  { resourceType: 'Patient', id: 'pt' },
];

function loadCorpus(): unknown[] {
  if (!existsSync(CORPUS_DIR)) {
    console.log(`dev corpus not found at ${CORPUS_DIR}; using built-in sample resources`);
    return FALLBACK_RESOURCES;
  }
  const resources: unknown[] = [];
  for (const file of readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.ndjson')).sort()) {
    for (const line of readFileSync(CORPUS_DIR + file, 'utf8').split('\n')) {
      if (line.trim() !== '') resources.push(JSON.parse(line));
    }
  }
  return resources.length > 0 ? resources : FALLBACK_RESOURCES;
}

/** Deep copy with every `coding` array removed: only texts and titles are left. */
function textOnly(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(textOnly);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'coding').map(([k, v]) => [k, textOnly(v)]));
}

/** Deep copy with `text`, `display` and `title` strings upper-cased. */
function shouting(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shouting);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, typeof v === 'string' && ['text', 'display', 'title'].includes(k) ? v.toUpperCase() : shouting(v)]),
  );
}

const VARIANTS: ReadonlyArray<(resource: unknown) => unknown> = [(r) => r, textOnly, shouting];

function buildLines(corpus: readonly unknown[], count: number): string[] {
  const lines: string[] = [];
  for (let i = 0; lines.length < count; i += 1) {
    const original = corpus[i % corpus.length] as Record<string, unknown>;
    const variant = VARIANTS[Math.floor(i / corpus.length) % VARIANTS.length];
    const copy = { ...(variant(original) as Record<string, unknown>), id: `${String(original.id)}-v${i}` };
    lines.push(JSON.stringify(copy));
  }
  return lines;
}

/** Median resources/s of a few timed runs, after one warm-up run. */
function measure(run: () => number): number {
  run();
  const rates: number[] = [];
  for (let i = 0; i < TIMED_RUNS; i += 1) {
    const start = process.hrtime.bigint();
    const n = run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push(n / seconds);
  }
  rates.sort((a, b) => a - b);
  return Math.round(rates[Math.floor(rates.length / 2)]);
}

const corpus = loadCorpus();
const lines = buildLines(corpus, RESOURCE_COUNT);
const parsed = lines.map((line) => JSON.parse(line) as unknown);
let sink = 0; // keeps results observable so the work is not optimised away

const baselineRps = measure(() => {
  for (const line of lines) {
    const resource = JSON.parse(line) as { resourceType?: unknown; status?: unknown };
    if (resource.resourceType === 'Immunization' && resource.status === 'completed') sink += 1;
  }
  return lines.length;
});
const classifyOnlyRps = measure(() => {
  for (const resource of parsed) sink += classify(resource).length;
  return parsed.length;
});
const endToEndRps = measure(() => {
  for (const line of lines) sink += classify(JSON.parse(line)).length;
  return lines.length;
});

/** Median milliseconds of a few timed runs of `run` over every input, after one warm-up run. */
function medianMs(inputs: readonly string[], run: (input: string) => string): number {
  const times: number[] = [];
  for (let i = 0; i <= TIMED_RUNS; i += 1) {
    const start = process.hrtime.bigint();
    for (const input of inputs) sink += run(input).length;
    if (i > 0) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)] * 10) / 10;
}

const hostileMarkup = [
  `<a ${'"'.repeat(50_001)}${"'".repeat(50_001)}${' on='.repeat(50_000)}`,
  '<a'.repeat(100_000),
  `<a ${' onx="'.repeat(50_000)}`,
];
const markupMs = medianMs(hostileMarkup, stripEventHandlerAttributes);
const markupBaselineMs = medianMs(hostileMarkup, (input) => input.toLowerCase());

console.log(`resources: ${lines.length}, cycling ${corpus.length} base resources × ${VARIANTS.length} variants, new id each`);
console.log(`baseline (JSON.parse + one-field rule): ${baselineRps} resources/s`);
console.log(`classify only (pre-parsed):             ${classifyOnlyRps} resources/s`);
console.log(`JSON.parse + classify (rps):            ${endToEndRps} resources/s`);
console.log(`markup tidying of ${hostileMarkup.length} hostile inputs (${hostileMarkup.reduce((n, m) => n + m.length, 0)} chars): ${markupMs} ms; one lower-casing pass: ${markupBaselineMs} ms`);
console.log(`(checksum ${sink})`);
console.log(`bench:classify rps=${endToEndRps} baseline_rps=${baselineRps} classify_only_rps=${classifyOnlyRps} resources=${lines.length} markup_hostile_ms=${markupMs} markup_baseline_ms=${markupBaselineMs}`);
