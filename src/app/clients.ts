/** The Kafka and Pinterest client settings of a configuration, for the pipeline and `check`. */
import type {AppConfig} from '../config';
import {connectionsOf, type Connection} from '../config/connections';
import type {KafkaConnectionConfig} from '../kafka';
import {resolveClientConfig, type PinterestClientConfig} from '../pinterest';

export function kafkaConnectionConfig(config: AppConfig): KafkaConnectionConfig {
  const {sasl} = config.kafka;
  return {
    brokers: [...config.kafka.brokers],
    clientId: config.kafka.clientId,
    ssl: config.kafka.ssl,
    sslCaFile: config.kafka.sslCaFile,
    sasl:
      sasl.mechanism && sasl.username && sasl.password
        ? {mechanism: sasl.mechanism, username: sasl.username, password: sasl.password}
        : undefined,
    requestTimeoutMs: config.kafka.requestTimeoutSeconds * 1000,
  };
}

/** The client settings of one connection (default: the first, `default` when the single-connection settings are set). */
export function pinterestClientConfig(
  config: AppConfig,
  connection: Connection = connectionsOf(config)[0] as Connection
): PinterestClientConfig {
  return resolveClientConfig({
    apiBaseUrl: config.pinterest.apiBaseUrl,
    clientId: connection.clientId,
    clientSecret: connection.clientSecret,
    refreshToken: connection.refreshToken,
    accessToken: connection.accessToken,
    maxConcurrency: config.pinterest.maxConcurrency,
    requestTimeoutMs: config.pinterest.requestTimeoutSeconds * 1000,
    retry: {maxRetries: config.pinterest.maxRetries},
  });
}
