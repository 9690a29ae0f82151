// A light, closed-loop load generator for bench:record: `concurrency` loops over one keep-alive
// agent, each sending its next request as soon as the previous answer has been read in full.
import http from 'node:http';

export interface Answer {
  status: number;
  bytes: number;
  ms: number;
}

export interface LoadResult {
  latencies: number[];
  ms: number;
  bytes: number;
  statuses: Map<number, number>;
}

export function createAgent(concurrency: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
}

export function get(agent: http.Agent, url: string, headers: Record<string, string>): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, headers }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes, ms: performance.now() - started }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

export async function load(agent: http.Agent, url: string, headers: Record<string, string>, requests: number, concurrency: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let bytes = 0;
  let issued = 0;
  const started = performance.now();
  const loop = async (): Promise<void> => {
    while (issued < requests) {
      issued++;
      const answer = await get(agent, url, headers);
      latencies.push(answer.ms);
      bytes += answer.bytes;
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { latencies, ms: performance.now() - started, bytes, statuses };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export interface Stats {
  requests: number;
  p50: number;
  p99: number;
  rps: number;
  meanBytes: number;
}

/** Merges rounds measured at different moments (interleaved with the other side). */
export function stats(results: readonly LoadResult[]): Stats {
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const ms = results.reduce((s, r) => s + r.ms, 0);
  const bytes = results.reduce((s, r) => s + r.bytes, 0);
  return {
    requests: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    rps: latencies.length / (ms / 1000),
    meanBytes: bytes / latencies.length,
  };
}
