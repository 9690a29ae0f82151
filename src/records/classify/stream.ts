// Classifying a stream of FHIR resources: NDJSON (one resource per line, streamed) or a
// single JSON document (a Bundle, an array of resources, or one resource), for the CLI.

import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { CategoryId } from '../categories.js';
import { isObject, objects, type JsonObject } from './../fhir-read.js';
import { list } from './fhir.js';
import { classify } from './index.js';

export interface ClassifiedLine {
  readonly resourceType: string;
  readonly id: string | null;
  readonly categories: CategoryId[];
}

export interface StreamReport {
  readonly classified: number;
  readonly skipped: number;
}

export interface StreamSinks {
  /** One output line per classified resource (without the newline). */
  readonly writeLine: (line: string) => void;
  /** A problem with the input, already phrased for a person. */
  readonly reportProblem: (message: string) => void;
}

/** A first line that opens a pretty-printed JSON document rather than holding a whole resource. */
const DOCUMENT_OPENING = /^(\{|\[|\{\s*"resourceType"\s*:\s*"Bundle"\s*,?)$/;

function resultLine(resource: JsonObject): string {
  const line: ClassifiedLine = {
    resourceType: resource.resourceType as string,
    id: typeof resource.id === 'string' ? resource.id : null,
    categories: classify(resource),
  };
  return JSON.stringify(line);
}

class Classifier {
  classified = 0;
  skipped = 0;

  constructor(private readonly sinks: StreamSinks) {}

  /** Classifies a parsed value: a resource, or each entry of a Bundle. `where` names it in problems. */
  take(value: unknown, where: string): void {
    if (!isObject(value) || typeof value.resourceType !== 'string') {
      this.skip(`${where}: not a FHIR resource (no resourceType)`);
      return;
    }
    if (value.resourceType === 'Bundle') {
      objects(value.entry).forEach((entry, index) => {
        if (isObject(entry.resource)) this.take(entry.resource, `${where}, Bundle entry ${index + 1}`);
        else this.skip(`${where}, Bundle entry ${index + 1}: no resource`);
      });
      return;
    }
    this.sinks.writeLine(resultLine(value));
    this.classified += 1;
  }

  skip(message: string): void {
    this.skipped += 1;
    this.sinks.reportProblem(`${message}; skipped`);
  }

  takeJsonText(text: string, where: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.skip(`${where}: invalid JSON (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    if (Array.isArray(value)) list(value).forEach((item, i) => this.take(item, `${where}, item ${i + 1}`));
    else this.take(value, where);
  }

  report(): StreamReport {
    return { classified: this.classified, skipped: this.skipped };
  }
}

/**
 * Reads NDJSON line by line (never holding more than one line), or — when the first line
 * opens a pretty-printed document — reads the whole document and classifies it.
 */
export async function classifyLines(lines: AsyncIterable<string>, sinks: StreamSinks): Promise<StreamReport> {
  const classifier = new Classifier(sinks);
  let lineNumber = 0;
  let document: string[] | undefined;
  let documentStart = 0;
  for await (const raw of lines) {
    lineNumber += 1;
    if (document) {
      document.push(raw);
      continue;
    }
    const line = raw.trim();
    if (line === '') continue;
    if (classifier.classified === 0 && classifier.skipped === 0 && DOCUMENT_OPENING.test(line)) {
      document = [raw];
      documentStart = lineNumber;
      continue;
    }
    classifier.takeJsonText(line, `line ${lineNumber}`);
  }
  if (document) classifier.takeJsonText(document.join('\n'), `JSON document starting at line ${documentStart}`);
  return classifier.report();
}

export async function classifyReadable(input: Readable, sinks: StreamSinks): Promise<StreamReport> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  return classifyLines(lines, sinks);
}
