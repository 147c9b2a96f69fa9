import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const TOOLS_BIN = resolve(__dirname, '..', '.tools', 'venv', 'bin');

/**
 * The Temporal CLI and time-skipping test server installed from PyPI by `dev/setup.js`. When they
 * are absent (e.g. a machine where setup could not use pip) the SDK's own download is the fallback.
 */
export function localTemporalCli(): string | undefined {
  const path = resolve(TOOLS_BIN, 'temporal');
  return existsSync(path) ? path : undefined;
}

export function localTestServer(): string | undefined {
  const path = resolve(TOOLS_BIN, 'temporal-test-server');
  return existsSync(path) ? path : undefined;
}

export function existingPath(path: string | undefined) {
  return path ? { executable: { type: 'existing-path' as const, path } } : {};
}
