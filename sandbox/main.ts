// `npm run sandbox [-- --config <file>] [--generate [hospital/]username:count]...`
// Prints one line per hospital, `sandbox <hospital-id> <fhir-base-url>`, and runs until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startSandbox, type Sandbox } from './server.js';

const USAGE = `usage: npm run sandbox -- [--config <hospitals.json>] [--host <address>] [--generate [hospital/]username:count]...
  --generate bench:100000            add a generated patient (login bench / sandbox) at the first hospital
  --generate riverside/bench:5000    ... at a chosen hospital`;

interface GenerateRequest {
  readonly hospitalId: string | undefined;
  readonly username: string;
  readonly count: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      host: { type: 'string' },
      generate: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const generateRequests = (values.generate ?? []).map(parseGenerate);
  const options = {
    ...(values.config === undefined ? {} : { configPath: values.config }),
    ...(values.host === undefined ? {} : { host: values.host }),
  };
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox(options);
  } catch (error) {
    if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    // Its usual ports are taken (another sandbox, a demo): free ones, and say where.
    sandbox = await startSandbox({ ...options, ephemeralPorts: true });
    console.log("the hospitals' usual ports are taken (another sandbox or demo?): moved to free ports, listed below");
  }
  closeOnSignals(sandbox);

  for (const hospital of sandbox.hospitals) console.log(`sandbox ${hospital.id} ${hospital.fhirBaseUrl}`);
  console.log('Portal login at every hospital: jane / sandbox (the demo patient). Ctrl-C stops.');
  for (const request of generateRequests) generate(sandbox, request);
}

function generate(sandbox: Sandbox, request: GenerateRequest): void {
  const hospital = request.hospitalId === undefined ? sandbox.hospitals[0] : sandbox.hospital(request.hospitalId);
  if (!hospital) return;
  const started = Date.now();
  const result = hospital.admin.generatePatient({
    patientId: `gen-${request.username}`,
    username: request.username,
    password: 'sandbox',
    count: request.count,
  });
  console.log(`Generated Patient/${result.patientId} at ${hospital.id}: ${result.resources} resources in ${Date.now() - started} ms (login ${result.username} / sandbox)`);
}

function parseGenerate(value: string): GenerateRequest {
  const match = /^(?:([a-z0-9-]+)\/)?([A-Za-z0-9_.-]+):(\d+)$/.exec(value);
  if (!match) throw new Error(`--generate expects [hospital/]username:count, got "${value}"\n${USAGE}`);
  return { hospitalId: match[1], username: match[2], count: Number(match[3]) };
}

function closeOnSignals(sandbox: Sandbox): void {
  const stop = (signal: NodeJS.Signals) => {
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`sandbox: error while closing after ${signal}:`, error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error('sandbox failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
