import type {RetryOptions} from 'kafkajs';

/**
 * A consumer's retry options: kafkajs' default for consumers (5 retries), with restarts after a retriable crash
 * only while `mayRestart()`. kafkajs restarts a crashed consumer even after its owner disconnected it: a disconnect
 * that lands while a restart is joining crashes that restart, which kafkajs restarts again, and the consumer goes
 * on in the background for good (a fleet member that kept a stopped process alive, a read that was over).
 */
export function restartsWhile(mayRestart: () => boolean): RetryOptions {
  return {retries: 5, restartOnFailure: async () => mayRestart()};
}
