import {createLogger, createCensor} from '../../../src/observability';

function capture() {
  const lines: string[] = [];
  return {
    lines,
    destination: {write: (line: string) => lines.push(line)},
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const SECRETS = ['cs-"quoted"\\secret', 'pinr.refresh-token-XYZ', 'sasl-password-99'];

describe('createLogger', () => {
  it('writes JSON lines with a level label, ISO time and the base fields', () => {
    const out = capture();
    const logger = createLogger({destination: out.destination, base: {version: '1.2.3'}, level: 'debug'});
    logger.debug({collection: 'pins'}, 'hello');
    const [record] = out.records();
    expect(record).toMatchObject({
      level: 'debug',
      service: 'pinterest-cdc',
      version: '1.2.3',
      collection: 'pins',
      msg: 'hello',
    });
    expect(record?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('respects the level', () => {
    const out = capture();
    const logger = createLogger({destination: out.destination, level: 'warn'});
    logger.info('dropped');
    logger.warn('kept');
    expect(out.records().map((r) => r.msg)).toEqual(['kept']);
  });

  it('censors the secret values wherever they appear and redacts credential keys', () => {
    const out = capture();
    const logger = createLogger({destination: out.destination, secrets: SECRETS});
    logger.info(`token is ${SECRETS[1]}`);
    logger.info({detail: {nested: [`x${SECRETS[0]}y`]}, [SECRETS[2] as string]: 'as a key'}, 'fields');
    logger.error({err: new Error(`refresh failed for ${SECRETS[1]}`)}, 'with error');
    logger.child({run: SECRETS[2]}).warn('child binding');
    logger.info(
      {
        access_token: 'pina.some-other-token',
        body: {refresh_token: 'r', client_secret: 'c'},
        req: {headers: {authorization: 'Bearer abc'}},
        config: {pinterest: {clientSecret: 'config-secret'}},
        password: 'plain-password',
      },
      'keys'
    );
    const text = out.lines.join('');
    for (const secret of SECRETS) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(JSON.stringify(secret).slice(1, -1));
    }
    for (const value of [
      'pina.some-other-token',
      'Bearer abc',
      'config-secret',
      'plain-password',
      '"r"',
      '"c"',
    ]) {
      expect(text).not.toContain(value);
    }
    const records = out.records();
    expect(records).toHaveLength(5);
    expect(records[0]?.msg).toBe('token is [redacted]');
    expect(records[1]?.detail).toEqual({nested: ['x[redacted]y']});
    expect(records[1]?.['[redacted]']).toBe('as a key');
    expect(JSON.stringify(records[2]?.err)).toContain('refresh failed for [redacted]');
    expect(records[3]?.run).toBe('[redacted]');
    expect(records[4]).toMatchObject({access_token: '[redacted]', password: '[redacted]'});
  });

  it('leaves lines without secrets untouched', () => {
    const censor = createCensor(['abcdef']);
    const line = '{"msg":"nothing here"}\n';
    expect(censor(line)).toBe(line);
    expect(createCensor([])('{"a":"abcdef"}')).toBe('{"a":"abcdef"}');
    expect(censor('{"a":"xabcdefx"}\n')).toBe('{"a":"x[redacted]x"}\n');
  });
});
