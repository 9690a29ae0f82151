// Graceful shutdown shared by every process: the first SIGTERM/SIGINT runs `shutdown` once and
// exits 0. npm and terminals often deliver the same signal twice within a moment (to the group
// and forwarded), so a repeat within a second is ignored; a later one exits at once.
export interface ShutdownLog {
  info(message: string): void;
  error(message: string): void;
}

const consoleLog: ShutdownLog = { info: () => {}, error: (message) => console.error(message) };

export function exitGracefullyOnSignals(shutdown: () => Promise<void>, log: ShutdownLog = consoleLog): void {
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (firstSignalAt !== undefined) {
      if (Date.now() - firstSignalAt < 1_000) return;
      log.error(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    firstSignalAt = Date.now();
    log.info(`${signal}: finishing work in flight, then exiting`);
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
