/**
 * Reading kafkajs errors without depending on their classes: kafkajs wraps protocol errors in
 * KafkaJSNonRetriableError / KafkaJSNumberOfRetriesExceeded (`cause`) and per-partition failures in
 * KafkaJSAggregateError (`errors`), so every question walks the whole chain.
 */

/** Error types (kafkajs `type`) and codes that mean "another producer owns this transactional id now". */
const FENCING_TYPES = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH']);
// 47 INVALID_PRODUCER_EPOCH; 90 PRODUCER_FENCED (KIP-588), unknown to kafkajs 2.2.4, which reports it as
// "Unknown error code 90" (type KAFKAJS_UNKNOWN_ERROR_CODE, code -99).
const FENCING_CODES = new Set([47, 90]);
const FENCING_MESSAGE = /\bfenced\b|Unknown error code 90\b/i;

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  type?: unknown;
  code?: unknown;
  retriable?: unknown;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown;
}

/** The error and everything it wraps, outermost first (cycle-safe, bounded). */
export function errorChain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && out.length < 50) {
    const next = queue.shift();
    if (next === null || typeof next !== 'object' || seen.has(next)) continue;
    seen.add(next);
    const e = next as ErrorLike;
    out.push(e);
    queue.push(e.cause, e.originalError);
    if (Array.isArray(e.errors)) queue.push(...e.errors);
  }
  return out;
}

/** True when the error says this producer was fenced by a newer one with the same transactional id. */
export function isFencingError(error: unknown): boolean {
  return errorChain(error).some(
    (e) =>
      (typeof e.type === 'string' && FENCING_TYPES.has(e.type)) ||
      (typeof e.code === 'number' && FENCING_CODES.has(e.code)) ||
      (typeof e.message === 'string' && FENCING_MESSAGE.test(e.message))
  );
}

/** True when the chain carries the given kafkajs protocol error type (e.g. TOPIC_ALREADY_EXISTS). */
export function hasErrorType(error: unknown, type: string): boolean {
  return errorChain(error).some((e) => e.type === type);
}

/**
 * kafkajs' verdict on the root cause: the innermost `retriable` flag. The outer wrapper is not used because
 * KafkaJSNumberOfRetriesExceeded is always non-retriable, even when its cause (e.g. a connection error) is
 * transient and the same batch can succeed later. Errors without any flag are not retriable.
 */
export function kafkajsRetriable(error: unknown): boolean {
  if (isCoordinatorNotFound(error)) return true;
  const flagged = errorChain(error).filter((e) => typeof e.retriable === 'boolean');
  return flagged[flagged.length - 1]?.retriable === true;
}

/**
 * kafkajs' "Failed to find group coordinator" (also for transaction coordinators): no broker answered the lookup
 * in time, e.g. while one is paused or restarting. Flagged non-retriable, carrying no cause, yet transient (seen
 * after 30 s of a SIGSTOPped broker).
 */
export function isCoordinatorNotFound(error: unknown): boolean {
  return errorChain(error).some((e) => e.name === 'KafkaJSGroupCoordinatorNotFound');
}

export function describeError(error: unknown): string {
  const chain = errorChain(error);
  if (chain.length === 0) return String(error);
  return chain
    .map((e) => (typeof e.type === 'string' ? `${String(e.message)} [${e.type}]` : String(e.message)))
    .filter((m, i, all) => all.indexOf(m) === i)
    .join(' <- ');
}
