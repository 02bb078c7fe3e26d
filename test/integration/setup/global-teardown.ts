/** Stops what global-setup.ts started (nothing when the services came from the environment). */
import fs from 'node:fs';

import {ACTIVE_SERVICES_KEY, ActiveServices} from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const active = (globalThis as Record<string, unknown>)[ACTIVE_SERVICES_KEY] as ActiveServices | undefined;
  if (!active) return;
  delete (globalThis as Record<string, unknown>)[ACTIVE_SERVICES_KEY];
  const started = Date.now();
  try {
    await active.stop();
  } finally {
    fs.rmSync(active.file, {force: true});
  }
  if (active.services.provider !== 'env') {
    process.stderr.write(
      `[integration-teardown] ${active.services.provider} services stopped (${Date.now() - started} ms)\n`
    );
  }
}
