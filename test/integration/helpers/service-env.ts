import type {RunningSandbox} from '../../../src/sandbox';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';

/** The environment that points the service at a sandbox and the test stack, under its own topic prefix. */
export function serviceEnv(sandbox: RunningSandbox, topicPrefix: string, extra: Record<string, string> = {}) {
  return {
    KAFKA_BROKERS: kafkaBrokers().join(','),
    SCHEMA_REGISTRY_URL: schemaRegistryUrl(),
    PINTEREST_API_BASE_URL: sandbox.baseUrl,
    PINTEREST_CLIENT_ID: sandbox.credentials.clientId,
    PINTEREST_CLIENT_SECRET: sandbox.credentials.clientSecret,
    PINTEREST_REFRESH_TOKEN: sandbox.credentials.refreshToken,
    PINTEREST_CDC_TOPIC_PREFIX: topicPrefix,
    ...extra,
  };
}

/**
 * The environment of a CLI child process run from source against the sandbox and the test stack: this process's
 * environment without its Pinterest, Kafka, registry and log settings, plus serviceEnv and `extra`.
 */
export function cliChildEnv(
  sandbox: RunningSandbox,
  topicPrefix: string,
  extra: Record<string, string> = {}
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('PINTEREST_') && !/^(KAFKA_|SCHEMA_REGISTRY_|LOG_)/.test(k)) env[k] = v;
  }
  return {...env, PINTEREST_CDC_FROM_SOURCE: '1', ...serviceEnv(sandbox, topicPrefix, extra)};
}
