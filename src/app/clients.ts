/** The Kafka and Pinterest client settings of a configuration, for the pipeline and `check`. */
import type {AppConfig} from '../config';
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

export function pinterestClientConfig(config: AppConfig): PinterestClientConfig {
  return resolveClientConfig({
    apiBaseUrl: config.pinterest.apiBaseUrl,
    clientId: config.pinterest.clientId,
    clientSecret: config.pinterest.clientSecret,
    refreshToken: config.pinterest.refreshToken,
    accessToken: config.pinterest.accessToken,
    maxConcurrency: config.pinterest.maxConcurrency,
    requestTimeoutMs: config.pinterest.requestTimeoutSeconds * 1000,
    retry: {maxRetries: config.pinterest.maxRetries},
  });
}
