import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./sync-worker-process.ts', import.meta.url));

export interface ChildWorker {
  lines: string[];
  process: ChildProcess;
  exited: Promise<number | null>;
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
}

/** Starts a separate worker process (same database and Redis prefix as the test). */
export function startChildWorker(prefix: string, env: Record<string, string> = {}): ChildWorker {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, QUEUE_PREFIX: prefix, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    lines,
    process: child,
    exited,
    waitForLine: (predicate, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const poll = setInterval(() => {
          const found = lines.find(predicate);
          if (found) {
            clearInterval(poll);
            resolve(found);
          } else if (Date.now() - started > timeoutMs) {
            clearInterval(poll);
            reject(new Error(`no such line from the worker; got: ${lines.slice(-20).join(' | ')}`));
          }
        }, 25);
      }),
  };
}
