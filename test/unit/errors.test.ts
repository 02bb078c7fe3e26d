import {CdcError, ConfigError, EncodeError, isRetriable} from '../../src/errors';

describe('errors', () => {
  it('lists every configuration problem in the message', () => {
    const error = new ConfigError(['kafka.brokers: required', 'pinterest.clientId: required']);
    expect(error.message).toContain('kafka.brokers: required');
    expect(error.message).toContain('pinterest.clientId: required');
    expect(error.retriable).toBe(false);
    expect(error.name).toBe('ConfigError');
  });

  it('reads the retriable flag from our errors and from foreign ones', () => {
    expect(isRetriable(new CdcError('x', {retriable: true}))).toBe(true);
    expect(isRetriable(new EncodeError('bad'))).toBe(false);
    expect(isRetriable({retriable: true})).toBe(true);
    expect(isRetriable(new Error('plain'))).toBe(false);
  });
});
