/** kafka.sslCaFile: its environment variable, and the rule that it needs kafka.ssl. */
import {loadConfig} from '../../../src/config';
import {ConfigError} from '../../../src/errors';

const REQUIRED = {
  KAFKA_BROKERS: '127.0.0.1:9093',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
  PINTEREST_ACCESS_TOKEN: 'pina.token',
};

describe('kafka.sslCaFile', () => {
  it('comes from KAFKA_SSL_CA_FILE and is unset by default', () => {
    expect(loadConfig({env: REQUIRED}).kafka.sslCaFile).toBeUndefined();
    const config = loadConfig({env: {...REQUIRED, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/etc/cdc/ca.pem'}});
    expect(config.kafka).toMatchObject({ssl: true, sslCaFile: '/etc/cdc/ca.pem'});
  });

  it('without kafka.ssl is a configuration error naming KAFKA_SSL', () => {
    let error: unknown;
    try {
      loadConfig({env: {...REQUIRED, KAFKA_SSL_CA_FILE: '/etc/cdc/ca.pem'}});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'kafka.sslCaFile: set, but kafka.ssl is false; set kafka.ssl=true (KAFKA_SSL=true) to use TLS',
    ]);
  });
});
