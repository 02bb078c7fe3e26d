import {logLevel as KafkajsLevel, type logCreator as KafkajsLogCreator} from 'kafkajs';

import type {KafkaLogger, KafkaLogLevel} from './types';

const LEVELS: Record<KafkaLogLevel, KafkajsLevel> = {
  nothing: KafkajsLevel.NOTHING,
  error: KafkajsLevel.ERROR,
  warn: KafkajsLevel.WARN,
  info: KafkajsLevel.INFO,
  debug: KafkajsLevel.DEBUG,
};

/** Our level name as the kafkajs enum (kafkajs filters entries below it before calling the log creator). */
export function toKafkajsLogLevel(level: KafkaLogLevel): KafkajsLevel {
  return LEVELS[level];
}

/**
 * kafkajs warnings about choices made on purpose, logged at debug instead: TransactionalWriter bounds the retries
 * of its idempotent producer (a failed transaction is aborted and its producer replaced, see
 * transactional-writer.ts), which kafkajs warns about once per producer.
 */
const INTENDED_WARNINGS = ['Limiting retries for the idempotent producer'];

/**
 * CONCURRENT_TRANSACTIONS is part of normal operation: the next transaction's AddPartitionsToTxn meets the
 * coordinator still writing the previous one's markers, and kafkajs retries it. kafkajs still logs each one
 * (Connection at error, Producer at warn); we keep them at debug.
 */
const CONCURRENT_TRANSACTIONS_TEXT = 'another concurrent operation on the same transaction was ongoing';

function isRoutine(text: string, extra: Record<string, unknown>): boolean {
  return (
    text.includes(CONCURRENT_TRANSACTIONS_TEXT) ||
    String(extra.error ?? '').includes(CONCURRENT_TRANSACTIONS_TEXT)
  );
}

/**
 * A kafkajs `logCreator` that routes client logs to our logger as `{component: 'kafkajs', namespace, ...extra}`
 * (kafkajs docs/CustomLogger.md). kafkajs' own timestamp and logger name are dropped: ours has its own.
 */
export function kafkajsLogCreator(logger: KafkaLogger): KafkajsLogCreator {
  return () =>
    ({namespace, level, log}) => {
      const {message, timestamp: _timestamp, logger: _name, ...extra} = log;
      const fields: Record<string, unknown> = {component: 'kafkajs', namespace, ...extra};
      const text = String(message);
      switch (level) {
        case KafkajsLevel.ERROR:
          if (isRoutine(text, extra)) logger.debug(fields, text);
          else logger.error(fields, text);
          break;
        case KafkajsLevel.WARN:
          if (isRoutine(text, extra) || INTENDED_WARNINGS.some((w) => text.startsWith(w)))
            logger.debug(fields, text);
          else logger.warn(fields, text);
          break;
        case KafkajsLevel.INFO:
          logger.info(fields, text);
          break;
        default:
          logger.debug(fields, text);
      }
    };
}
