/**
 * Backoff for retried requests: exponential with jitter, bounded in attempts and in total time.
 * axios-retry applies it to 5xx, network errors, timeouts and malformed bodies; the client applies the
 * same curve to 429s and documented transient 400s when the server names no wait.
 */
import type {RetryBounds} from './config';

/** Delay before retry number `attempt` (1-based): base * 2^(attempt-1), capped, "equal jitter" (50-100%). */
export function backoffDelayMs(
  attempt: number,
  bounds: RetryBounds,
  random: () => number = Math.random
): number {
  const ceiling = Math.min(bounds.maxDelayMs, bounds.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** True while one more retry, after waiting `delayMs`, stays within the total time bound. */
export function withinElapsedBound(
  startedAt: number,
  now: number,
  delayMs: number,
  bounds: RetryBounds
): boolean {
  return now - startedAt + delayMs <= bounds.maxElapsedMs;
}
