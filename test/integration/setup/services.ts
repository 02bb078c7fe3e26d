/**
 * Where the integration tests find Kafka and the schema registry. The global setup (global-setup.ts) puts the
 * addresses in process.env (KAFKA_BROKERS, SCHEMA_REGISTRY_URL) and in a small JSON file named by
 * PINTEREST_CDC_TEST_SERVICES_FILE; these accessors read either and throw loudly when neither is there.
 */
import fs from 'node:fs';

import {CdcError} from '../../../src/errors';

export const SERVICES_FILE_ENV = 'PINTEREST_CDC_TEST_SERVICES_FILE';

export type ServicesProvider = 'env' | 'local' | 'docker';

export interface TestServices {
  kafkaBrokers: string[];
  /** the full base of the Confluent-compatible API, e.g. http://127.0.0.1:1234/apis/ccompat/v7 */
  schemaRegistryUrl: string;
  provider: ServicesProvider;
}

export class TestServicesError extends CdcError {
  constructor(message: string) {
    super(message, {retriable: false});
  }
}

function fromFile(): Partial<TestServices> {
  const file = process.env[SERVICES_FILE_ENV];
  if (!file) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<TestServices>;
  } catch (error) {
    throw new TestServicesError(
      `cannot read the test services file ${file} (${SERVICES_FILE_ENV}): ${String(error)}`
    );
  }
}

const HOW =
  'The integration global setup (test/integration/setup/global-setup.ts) sets them; run the tests through jest ' +
  '(npm test, or npx jest --selectProjects integration), or export KAFKA_BROKERS and SCHEMA_REGISTRY_URL.';

export function kafkaBrokers(): string[] {
  const raw = process.env.KAFKA_BROKERS;
  const brokers = raw ? raw.split(',').map((b) => b.trim()) : fromFile().kafkaBrokers;
  if (!brokers || brokers.length === 0 || brokers.some((b) => b === '')) {
    throw new TestServicesError(`KAFKA_BROKERS is not set. ${HOW}`);
  }
  return brokers;
}

export function schemaRegistryUrl(): string {
  const url = process.env.SCHEMA_REGISTRY_URL ?? fromFile().schemaRegistryUrl;
  if (!url) throw new TestServicesError(`SCHEMA_REGISTRY_URL is not set. ${HOW}`);
  return url.replace(/\/+$/, '');
}
