import {logLevel} from 'kafkajs';

import {ConfigError} from '../../../src/errors';
import {createLogger} from '../../../src/observability/logger';
import {kafkajsConfig} from '../../../src/kafka/connection';
import {kafkajsLogCreator} from '../../../src/kafka/log-creator';
import type {KafkaLogger} from '../../../src/kafka/types';

function recorder(): KafkaLogger & {lines: [string, Record<string, unknown>, string][]} {
  const lines: [string, Record<string, unknown>, string][] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) =>
    lines.push([level, fields, message]);
  return {lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error')};
}

describe('kafka connection config', () => {
  it('maps our config to kafkajs (defaults: warn level, no ssl)', () => {
    const config = kafkajsConfig({brokers: ['127.0.0.1:9092'], clientId: 'cdc'}, recorder());
    expect(config).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      clientId: 'cdc',
      ssl: false,
      logLevel: logLevel.WARN,
    });
    const sasl = kafkajsConfig(
      {
        brokers: ['b:9093'],
        clientId: 'cdc',
        ssl: true,
        sasl: {mechanism: 'scram-sha-512', username: 'u', password: 'p'},
        logLevel: 'debug',
      },
      recorder()
    );
    expect(sasl).toMatchObject({
      ssl: true,
      sasl: {mechanism: 'scram-sha-512', username: 'u'},
      logLevel: logLevel.DEBUG,
    });
  });

  it('reports every configuration problem at once', () => {
    try {
      kafkajsConfig({brokers: ['nohost', 'h:1'], clientId: ' '}, recorder());
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        'kafka.brokers: "nohost" is not host:port',
        'kafka.clientId: required',
      ]);
    }
  });

  it('routes every kafkajs log entry to our logger at debug: retried failures are not errors', () => {
    const logger = recorder();
    const log = kafkajsLogCreator(logger)(logLevel.DEBUG);
    log({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: {
        timestamp: 't',
        logger: 'kafkajs',
        message: 'Response InitProducerId(key: 22, version: 1)',
        broker: 'b:1',
        error: "The coordinator is loading and hence can't process requests for this group",
        stack: 'KafkaJSProtocolError: The coordinator is loading\n    at createErrorFromCode',
      },
    });
    log({namespace: 'Consumer', level: logLevel.WARN, label: 'WARN', log: {timestamp: 't', message: 'slow'}});
    log({namespace: 'Cluster', level: logLevel.INFO, label: 'INFO', log: {timestamp: 't', message: 'hello'}});
    log({
      namespace: 'Cluster',
      level: logLevel.DEBUG,
      label: 'DEBUG',
      log: {timestamp: 't', message: 'detail'},
    });
    expect(logger.lines).toEqual([
      [
        'debug',
        {
          component: 'kafkajs',
          namespace: 'Connection',
          kafkajsLevel: 'error',
          broker: 'b:1',
          error: "The coordinator is loading and hence can't process requests for this group",
        },
        'Response InitProducerId(key: 22, version: 1)',
      ],
      ['debug', {component: 'kafkajs', namespace: 'Consumer', kafkajsLevel: 'warn'}, 'slow'],
      ['debug', {component: 'kafkajs', namespace: 'Cluster', kafkajsLevel: 'info'}, 'hello'],
      ['debug', {component: 'kafkajs', namespace: 'Cluster', kafkajsLevel: 'debug'}, 'detail'],
    ]);
  });

  it('accepts the service pino logger as its logger (same argument order)', () => {
    const lines: string[] = [];
    const pinoLogger: KafkaLogger = createLogger({
      level: 'debug',
      destination: {write: (line: string) => lines.push(line)},
    });
    kafkajsLogCreator(pinoLogger)(logLevel.WARN)({
      namespace: 'Producer',
      level: logLevel.WARN,
      label: 'WARN',
      log: {timestamp: 't', message: 'slow broker'},
    });
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      component: 'kafkajs',
      namespace: 'Producer',
      msg: 'slow broker',
    });
    expect(() => kafkajsConfig({brokers: ['h:1'], clientId: 'c'}, pinoLogger)).not.toThrow();
  });
});
