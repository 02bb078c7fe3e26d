import {readFileSync} from 'node:fs';

import {ProduceError} from '../errors';

/** A line of patches/kafkajs+2.2.4.patch, present in kafkajs' sendMessages.js once the patch is applied. */
export const KAFKAJS_PATCH_MARKER = 'pinterest-cdc patch (docs/notes.md "Three brokers")';

/**
 * Refuses to run on an unpatched kafkajs. Its produce retry, keyed per broker, writes duplicates inside
 * committed transactions (and can skip partitions) on a cluster of several brokers: exactly once would break
 * silently. npm's postinstall applies the patch; an install with --ignore-scripts does not (docs/notes.md).
 */
export function assertKafkajsPatched(
  readSource: (path: string) => string = (path) => readFileSync(path, 'utf8')
): void {
  const path = require.resolve('kafkajs/src/producer/sendMessages.js');
  if (readSource(path).includes(KAFKAJS_PATCH_MARKER)) return;
  throw new ProduceError(
    `kafkajs at ${path} is not patched: apply patches/kafkajs+2.2.4.patch (npm ci runs it as postinstall; ` +
      'with --ignore-scripts run npx patch-package). Unpatched, a produce retry on a cluster of several brokers ' +
      'can write events twice inside a committed transaction.',
    {retriable: false}
  );
}
