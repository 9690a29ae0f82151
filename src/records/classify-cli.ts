// `npm run --silent classify`: FHIR resources in (NDJSON or a Bundle on stdin), one line
// per resource out: {"resourceType":"…","id":"…","categories":[…]}. Problems go to stderr
// with their line number; exit code 0 when every line was classified, 1 when any was skipped.

import { classifyReadable } from './classify/stream.js';

const FLUSH_EVERY_LINES = 512;

async function main(): Promise<number> {
  let pending: string[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    process.stdout.write(pending.join('\n') + '\n');
    pending = [];
  };
  const report = await classifyReadable(process.stdin, {
    writeLine: (line) => {
      pending.push(line);
      if (pending.length >= FLUSH_EVERY_LINES) flush();
    },
    reportProblem: (message) => process.stderr.write(`classify: ${message}\n`),
  });
  flush();
  return report.skipped > 0 ? 1 : 0;
}

// A closed reader (`… | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`classify: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
