/** Commands that never call Pinterest (`schemas`) load the configuration without Pinterest credentials. */
import {loadConfig} from '../../../src/config';
import {ConfigError} from '../../../src/errors';

const KAFKA_ONLY = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8080/apis/ccompat/v7',
};

describe('unusedGroups', () => {
  it('skips the connections rule (which also reads sync.adAccountIds) when pinterest is unused', () => {
    expect(() => loadConfig({env: KAFKA_ONLY, unusedGroups: ['pinterest']})).not.toThrow();
  });

  it('still asks for credentials when pinterest is used, naming the settings', () => {
    let error: unknown;
    try {
      loadConfig({env: KAFKA_ONLY});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toMatch(/pinterest credentials/);
  });

  it('still validates each setting of an unused group on its own', () => {
    expect(() =>
      loadConfig({
        env: {...KAFKA_ONLY, PINTEREST_CDC_SYNC__INTERVAL_SECONDS: 'abc'},
        unusedGroups: ['pinterest'],
      })
    ).toThrow(ConfigError);
  });
});
