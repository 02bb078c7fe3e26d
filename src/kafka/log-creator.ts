import {logLevel as KafkajsLevel, type logCreator as KafkajsLogCreator} from 'kafkajs';

import type {KafkaLogger, KafkaLogLevel} from './types';

const LEVELS: Record<KafkaLogLevel, KafkajsLevel> = {
  nothing: KafkajsLevel.NOTHING,
  error: KafkajsLevel.ERROR,
  warn: KafkajsLevel.WARN,
  info: KafkajsLevel.INFO,
  debug: KafkajsLevel.DEBUG,
};

const LEVEL_NAMES = new Map<KafkajsLevel, string>([
  [KafkajsLevel.ERROR, 'error'],
  [KafkajsLevel.WARN, 'warn'],
  [KafkajsLevel.INFO, 'info'],
  [KafkajsLevel.DEBUG, 'debug'],
]);

/** Our level name as the kafkajs enum (kafkajs filters entries below it before calling the log creator). */
export function toKafkajsLogLevel(level: KafkaLogLevel): KafkajsLevel {
  return LEVELS[level];
}

/**
 * A kafkajs `logCreator` that routes client logs to our logger, all at debug, as `{component: 'kafkajs',
 * namespace, kafkajsLevel, ...extra}` (kafkajs docs/CustomLogger.md). kafkajs logs every failed request at error
 * level before it retries it, whether or not the retry succeeds: "The coordinator is loading" on every healthy
 * start, CONCURRENT_TRANSACTIONS after most commits, request timeouts while a broker is slow. It cannot tell a
 * transient failure from a final one; our code can, and every final one reaches it as a rejected promise (or a
 * consumer crash event), where it is logged once at the level it deserves. kafkajs' timestamp, logger name and
 * stack traces are dropped.
 */
export function kafkajsLogCreator(logger: KafkaLogger): KafkajsLogCreator {
  return () =>
    ({namespace, level, log}) => {
      const {message, timestamp: _timestamp, logger: _name, stack: _stack, ...extra} = log;
      logger.debug(
        {component: 'kafkajs', namespace, kafkajsLevel: LEVEL_NAMES.get(level) ?? String(level), ...extra},
        String(message)
      );
    };
}
