import {createHash} from 'node:crypto';

/** Keeps [A-Za-z0-9_-]; escapes everything else (including the '.' separator) as %XX: distinct inputs stay distinct. */
function segment(value: string): string {
  return Array.from(Buffer.from(value, 'utf8'))
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9_-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/**
 * A short stable hash of the settings that define WHAT an instance writes (topic prefix, state topic, ...).
 * Never put tunables (poll intervals, batch sizes, log levels) in it: a rolling deploy that changed one would
 * start a second producer under a new id that does not fence the old one, and both would write.
 */
export function configFingerprint(identity: Record<string, string>): string {
  const canonical = JSON.stringify(
    Object.keys(identity)
      .sort()
      .map((k) => [k, identity[k]])
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

/**
 * The transactional id of one shard (an ad account): `pinterest-cdc.<prefix>.<shard>[.<fingerprint>]`.
 * Deterministic, so a second instance with the same configuration fences the first instead of doubling
 * events; keyed by shard, so shards can later be spread over processes without changing ids.
 */
export function transactionalIdFor(input: {
  prefix: string;
  shard: string;
  configFingerprint?: string;
}): string {
  if (input.prefix.length === 0) throw new RangeError('transactionalIdFor: empty prefix');
  if (input.shard.length === 0) throw new RangeError('transactionalIdFor: empty shard');
  const parts = ['pinterest-cdc', segment(input.prefix), segment(input.shard)];
  if (input.configFingerprint !== undefined && input.configFingerprint.length > 0) {
    parts.push(segment(input.configFingerprint));
  }
  return parts.join('.');
}
