// Imported first by every process (src/server.ts, workers/main.ts, src/demo.ts): starts tracing,
// when OTEL_EXPORTER_OTLP_ENDPOINT asks for it, before the modules it instruments (http, pg,
// fastify) are loaded. ES modules evaluate in import order, so this one runs before its siblings
// (synchronously: a sibling would not wait for a top-level await).
import { basename } from 'node:path';
import { startTracing } from './tracing.js';

const SERVICE_BY_ENTRY: Record<string, string> = { server: 'carebinder-api', main: 'carebinder-worker', demo: 'carebinder-demo' };

const entry = basename(process.argv[1] ?? '').replace(/\.[cm]?[jt]s$/, '');
try {
  startTracing(SERVICE_BY_ENTRY[entry] ?? 'carebinder');
} catch (error) {
  // Traces are an aid, not a reason to stay down.
  console.error(`carebinder: tracing could not start, running without it: ${error instanceof Error ? error.message : String(error)}`);
}
