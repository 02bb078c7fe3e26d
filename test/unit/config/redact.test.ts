import {loadConfig, redactConfig, secretPaths, secretValues, REDACTED} from '../../../src/config';

const env = {
  KAFKA_BROKERS: 'k:9092',
  SCHEMA_REGISTRY_URL: 'http://r:8081',
  SCHEMA_REGISTRY_USERNAME: 'reg-user',
  SCHEMA_REGISTRY_PASSWORD: 'reg-password-1',
  PINTEREST_CLIENT_ID: '1500000',
  PINTEREST_CLIENT_SECRET: 'client-secret-2',
  PINTEREST_REFRESH_TOKEN: 'pinr.refresh-3',
};

describe('redaction', () => {
  const config = loadConfig({env, now: new Date('2025-01-01T00:00:00Z')});

  it('lists the secret settings from the table', () => {
    expect(secretPaths().sort()).toEqual(
      [
        'kafka.sasl.password',
        'pinterest.accessToken',
        'pinterest.clientSecret',
        'pinterest.refreshToken',
        'pinterest.tokenKey',
        'pinterest.tokenPreviousKeys',
        'schemaRegistry.password',
      ].sort()
    );
  });

  it('replaces every set secret and nothing else', () => {
    const redacted = redactConfig(config);
    expect(redacted.pinterest.clientSecret).toBe(REDACTED);
    expect(redacted.pinterest.refreshToken).toBe(REDACTED);
    expect(redacted.schemaRegistry.password).toBe(REDACTED);
    expect(redacted.pinterest.accessToken).toBeUndefined();
    expect(redacted.kafka.sasl.password).toBeUndefined();
    expect(redacted.pinterest.clientId).toBe('1500000');
    expect(redacted.schemaRegistry.username).toBe('reg-user');
    const text = JSON.stringify(redacted);
    for (const secret of secretValues(config)) expect(text).not.toContain(secret);
    // The original is untouched.
    expect(config.pinterest.clientSecret).toBe('client-secret-2');
  });

  it('returns the secret values themselves', () => {
    expect(secretValues(config).sort()).toEqual(['client-secret-2', 'pinr.refresh-3', 'reg-password-1']);
  });
});
