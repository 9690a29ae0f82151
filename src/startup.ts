import { ConfigError } from './config.js';

/** A bad setting stops startup with one line naming it; anything else with one line saying what failed. */
export function exitOnStartupError(error: unknown): never {
  if (error instanceof ConfigError) {
    console.error(`carebinder: ${error.message}`);
    process.exit(2);
  }
  console.error(`carebinder: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
