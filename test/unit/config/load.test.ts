import {files, problemsOf} from './helpers';
import {loadConfig, loadConfigWithSources} from '../../../src/config';

const NOW = new Date('2025-06-15T12:00:00Z');
const REQUIRED = {
  KAFKA_BROKERS: 'k1:9092,k2:9093',
  SCHEMA_REGISTRY_URL: 'http://registry:8081/apis/ccompat/v7/',
  PINTEREST_CLIENT_ID: '1500000',
  PINTEREST_CLIENT_SECRET: 'client-secret-value-123',
  PINTEREST_REFRESH_TOKEN: 'pinr.refresh-token-value-456',
};

describe('loadConfig', () => {
  it('applies defaults and parses the required settings from conventional env names', () => {
    const config = loadConfig({env: REQUIRED, now: NOW});
    expect(config.kafka.brokers).toEqual(['k1:9092', 'k2:9093']);
    expect(config.schemaRegistry.url).toBe('http://registry:8081/apis/ccompat/v7');
    expect(config.pinterest.apiBaseUrl).toBe('https://api.pinterest.com/v5');
    expect(config.pinterest.tokenStore).toBe('kafka');
    expect(config.kafka.topicPrefix).toBe('pinterest');
    expect(config.kafka.replicationFactor).toBe(-1);
    expect(config.sync.collections).toEqual([
      'ad_accounts',
      'campaigns',
      'ad_groups',
      'ads',
      'boards',
      'pins',
    ]);
    expect(config.sync.keepImages).not.toContain('pins');
    expect(config.analytics.startDate).toBe('2025-05-16');
    expect(config.observability.metricsHost).toBe('127.0.0.1');
    expect(Object.isFrozen(config.kafka)).toBe(true);
  });

  it('takes flags over env over file over defaults', () => {
    const file =
      'kafka:\n  partitions: 5\n  clientId: from-file\n  topicPrefix: file-prefix\nsync:\n  intervalSeconds: 60\n';
    const {config, sources} = loadConfigWithSources({
      env: {...REQUIRED, PINTEREST_CDC_KAFKA__PARTITIONS: '7', PINTEREST_CDC_TOPIC_PREFIX: 'env-prefix'},
      file: '/etc/cdc.yaml',
      readFile: files({'/etc/cdc.yaml': file}),
      overrides: {'kafka.partitions': '9'},
      now: NOW,
    });
    expect(config.kafka.partitions).toBe(9);
    expect(sources['kafka.partitions']).toEqual({kind: 'flag'});
    expect(config.kafka.topicPrefix).toBe('env-prefix');
    expect(sources['kafka.topicPrefix']).toEqual({kind: 'env', name: 'PINTEREST_CDC_TOPIC_PREFIX'});
    expect(config.kafka.clientId).toBe('from-file');
    expect(sources['kafka.clientId']).toEqual({kind: 'file', path: '/etc/cdc.yaml'});
    expect(config.sync.intervalSeconds).toBe(60);
    expect(config.kafka.transactionBatchSize).toBe(1000);
    expect(sources['kafka.transactionBatchSize']).toEqual({kind: 'default'});
  });

  it('finds the file through PINTEREST_CDC_CONFIG and the generic name wins over the conventional one', () => {
    const config = loadConfig({
      env: {
        ...REQUIRED,
        PINTEREST_CDC_CONFIG: '/c.yaml',
        PINTEREST_CDC_KAFKA__BROKERS: '["generic:1"]',
      },
      readFile: files({'/c.yaml': 'sync:\n  adAccountIds: [549755885175123456]\n'}),
      now: NOW,
    });
    expect(config.kafka.brokers).toEqual(['generic:1']);
    // 18 digits, beyond 2^53: kept exactly, as a string.
    expect(config.sync.adAccountIds).toEqual(['549755885175123456']);
  });

  it('parses booleans, lists and nested generic names', () => {
    for (const [raw, expected] of [
      ['yes', true],
      ['ON', true],
      ['1', true],
      ['off', false],
      ['0', false],
      ['No', false],
    ] as const) {
      expect(loadConfig({env: {...REQUIRED, KAFKA_SSL: raw}, now: NOW}).kafka.ssl).toBe(expected);
    }
    const config = loadConfig({
      env: {
        ...REQUIRED,
        PINTEREST_CDC_KAFKA__SASL__MECHANISM: 'scram-sha-512',
        PINTEREST_CDC_KAFKA__SASL__USERNAME: 'svc',
        PINTEREST_CDC_KAFKA__SASL__PASSWORD: 'sasl-pass-789',
        PINTEREST_CDC_SYNC__COLLECTIONS: ' campaigns , ads ',
        PINTEREST_CDC_ANALYTICS__COLLECTIONS: '',
      },
      now: NOW,
    });
    expect(config.kafka.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'svc',
      password: 'sasl-pass-789',
    });
    expect(config.sync.collections).toEqual(['campaigns', 'ads']);
    // An empty variable counts as unset: the default stays.
    expect(config.analytics.collections).toEqual(['ad_analytics', 'campaign_analytics']);
    expect(problemsOf(() => loadConfig({env: {...REQUIRED, KAFKA_SSL: 'maybe'}, now: NOW}))).toEqual([
      expect.stringMatching(/^kafka\.ssl: must be a boolean .*got "maybe"; from env KAFKA_SSL/),
    ]);
  });

  it('reads secrets from <ENV>_FILE, trimming the trailing newline, and rejects both forms at once', () => {
    const {PINTEREST_CLIENT_SECRET: _unused, ...rest} = REQUIRED;
    const config = loadConfig({
      env: {...rest, PINTEREST_CLIENT_SECRET_FILE: '/run/secret'},
      readFile: files({'/run/secret': 'from-file-secret\n'}),
      now: NOW,
    });
    expect(config.pinterest.clientSecret).toBe('from-file-secret');

    const problems = problemsOf(() =>
      loadConfig({
        env: {
          ...REQUIRED,
          PINTEREST_CLIENT_SECRET_FILE: '/run/secret',
          SCHEMA_REGISTRY_PASSWORD_FILE: '/missing',
        },
        readFile: files({'/run/secret': 'x'}),
        now: NOW,
      })
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'pinterest.clientSecret: both PINTEREST_CLIENT_SECRET and PINTEREST_CLIENT_SECRET_FILE are set; set only one',
        'schemaRegistry.password: cannot read SCHEMA_REGISTRY_PASSWORD_FILE (/missing): ENOENT',
      ])
    );
  });

  it('reports every problem at once, each with its path and an env var that sets it', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          PINTEREST_CDC_KAFKA__PARTITIONS: 'many',
          PINTEREST_CDC_TOPIC_PREFIX: 'bad prefix!',
          PINTEREST_CDC_SYNC__COLLECTIONS: 'pins,widgets',
          PINTEREST_CDC_ANALYTICS__RESTATEMENT_DAYS: '90',
          PINTEREST_CDC_ANALYTICS__VIEW_WINDOW_DAYS: '3',
          PINTEREST_CDC_ANALYTICS__START_DATE: '2025-02-30',
          PINTEREST_CDC_OBSERVABILITY__LOG_FORMAT: 'xml',
          PINTEREST_CDC_KAFKA__BROKER: 'typo:9092',
          METRICS_PORT: '70000',
        },
        now: NOW,
      })
    );
    const expected: [string, RegExp][] = [
      ['kafka.brokers', /required; set PINTEREST_CDC_KAFKA__BROKERS or KAFKA_BROKERS/],
      ['schemaRegistry.url', /required; set .*SCHEMA_REGISTRY_URL/],
      [
        'kafka.partitions',
        /integer from -1 to 10000 \(got "many"; from env PINTEREST_CDC_KAFKA__PARTITIONS\)/,
      ],
      [
        'kafka.topicPrefix',
        /\(Kafka topic names\) \(got "bad prefix!"; from env PINTEREST_CDC_TOPIC_PREFIX\)/,
      ],
      ['sync.collections[1]', /one of ad_accounts, .*pins/],
      ['analytics.restatementDays', /from 1 to 60/],
      ['analytics.viewWindowDays', /one of 0, 1, 7, 14, 30, 60/],
      ['analytics.startDate', /real calendar date/],
      ['observability.logFormat', /one of json, pretty/],
      ['observability.metricsPort', /from env METRICS_PORT/],
      ['PINTEREST_CDC_KAFKA__BROKER', /unknown setting/],
      ['pinterest credentials', /PINTEREST_CLIENT_ID.*PINTEREST_ACCESS_TOKEN/],
    ];
    for (const [path, pattern] of expected) {
      expect(problems.find((p) => p.startsWith(`${path}:`))).toMatch(pattern);
    }
    expect(problems).toHaveLength(expected.length);
  });

  it('never puts secret values into problems', () => {
    const secret = 'not-a-url-but-secret-42';
    const problems = problemsOf(() =>
      loadConfig({
        env: {...REQUIRED, PINTEREST_CLIENT_SECRET: secret, KAFKA_SASL_PASSWORD: secret, KAFKA_BROKERS: 'x'},
        now: NOW,
      })
    );
    expect(problems.some((p) => p.startsWith('kafka.sasl.mechanism:'))).toBe(true);
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('warns about every secret written into the config file, naming the env and *_FILE to use, never its value', () => {
    const yaml = [
      'pinterest:',
      '  clientSecret: file-secret-1',
      '  refreshToken: ""',
      'kafka:',
      '  sasl:',
      '    mechanism: plain',
      '    username: cdc',
      '    password: file-secret-2',
      'schemaRegistry:',
      '  username: cdc',
      '  password: file-secret-3',
      '',
    ].join('\n');
    // The client secret in the file loses to the environment's, yet it still sits in the file: warned too.
    const loaded = loadConfigWithSources({
      env: REQUIRED,
      file: '/etc/cdc.yaml',
      readFile: files({'/etc/cdc.yaml': yaml}),
      now: NOW,
    });
    expect(loaded.config.kafka.sasl.password).toBe('file-secret-2');
    expect(loaded.warnings.map((w) => w.split(':')[0])).toEqual([
      'pinterest.clientSecret',
      'kafka.sasl.password',
      'schemaRegistry.password',
    ]);
    expect(loaded.warnings[1]).toContain('KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE');
    expect(loaded.warnings[1]).toContain('/etc/cdc.yaml');
    expect(loaded.warnings.join('\n')).not.toMatch(/file-secret/);
    const clean = loadConfigWithSources({
      env: REQUIRED,
      file: '/etc/cdc.yaml',
      readFile: files({'/etc/cdc.yaml': 'kafka:\n  partitions: 3\n'}),
      now: NOW,
    });
    expect(clean.warnings).toEqual([]);
  });

  it('accepts an access token alone, and asks for the missing parts of the refresh-token trio', () => {
    const {KAFKA_BROKERS, SCHEMA_REGISTRY_URL} = REQUIRED;
    const config = loadConfig({
      env: {KAFKA_BROKERS, SCHEMA_REGISTRY_URL, PINTEREST_ACCESS_TOKEN: 'pina.abc'},
      now: NOW,
    });
    expect(config.pinterest.accessToken).toBe('pina.abc');
    expect(config.pinterest.refreshToken).toBeUndefined();
    const problems = problemsOf(() =>
      loadConfig({env: {KAFKA_BROKERS, SCHEMA_REGISTRY_URL, PINTEREST_CLIENT_ID: '1'}, now: NOW})
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /missing: pinterest\.clientSecret \(PINTEREST_CLIENT_SECRET\), pinterest\.refreshToken/
    );
    expect(problems[0]).not.toMatch(/missing: .*pinterest\.clientId/);
  });

  it('checks cross-setting rules: future start date, credentials in URLs', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          ...REQUIRED,
          PINTEREST_CDC_ANALYTICS__CLICK_WINDOW_DAYS: '60',
          PINTEREST_CDC_ANALYTICS__START_DATE: '2025-07-01',
          SCHEMA_REGISTRY_URL: 'https://user:pw@registry/apis/ccompat/v7',
          SCHEMA_REGISTRY_USERNAME: 'user',
        },
        now: NOW,
      })
    );
    expect(problems.some((p) => p.startsWith('analytics.restatementDays'))).toBe(false);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^analytics\.startDate: 2025-07-01 is in the future/),
        expect.stringMatching(/^schemaRegistry\.url: must not contain credentials/),
        expect.stringMatching(/^schemaRegistry: username and password go together/),
      ])
    );
    expect(problems.join('\n')).not.toContain('pw@');
  });

  it('reports unknown keys and unreadable or invalid YAML without quoting the file', () => {
    const unknown = problemsOf(() =>
      loadConfig({
        env: REQUIRED,
        file: '/c.yaml',
        readFile: files({'/c.yaml': 'kafka:\n  brokerz: [a:1]\nsurprise: 1\nsync: 5\n'}),
        now: NOW,
      })
    );
    expect(unknown).toEqual([
      'kafka.brokerz: unknown setting in the config file',
      'surprise: unknown setting in the config file',
      'sync: must be a mapping of settings in the config file',
    ]);
    const broken = problemsOf(() =>
      loadConfig({
        env: REQUIRED,
        file: '/b.yaml',
        readFile: files({'/b.yaml': 'kafka: [\n  secret-xyz: "'}),
        now: NOW,
      })
    );
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatch(/^config file \/b\.yaml: YAML /);
    expect(broken[0]).not.toContain('secret-xyz');
    expect(
      problemsOf(() => loadConfig({env: REQUIRED, file: '/none.yaml', readFile: files({}), now: NOW}))
    ).toEqual(['config file /none.yaml: cannot read it (ENOENT)']);
    expect(problemsOf(() => loadConfig({env: REQUIRED, overrides: {'kafka.nope': '1'}, now: NOW}))).toEqual([
      'kafka.nope: unknown setting (from a flag)',
    ]);
  });

  it('validates broker addresses and keeps file values typed by YAML', () => {
    const config = loadConfig({
      env: {...REQUIRED, KAFKA_BROKERS: '[::1]:9092,broker-1.example.com:9094'},
      file: '/c.yaml',
      readFile: files({'/c.yaml': 'observability:\n  metricsPort: 0\nkafka:\n  ssl: true\n'}),
      now: NOW,
    });
    expect(config.kafka.brokers).toEqual(['[::1]:9092', 'broker-1.example.com:9094']);
    expect(config.observability.metricsPort).toBe(0);
    expect(config.kafka.ssl).toBe(true);
    expect(problemsOf(() => loadConfig({env: {...REQUIRED, KAFKA_BROKERS: 'a:0,b'}, now: NOW}))).toEqual([
      expect.stringMatching(/^kafka\.brokers\[0\]: broker port must be 1\.\.65535 \(got "a:0,b"/),
      expect.stringMatching(/^kafka\.brokers\[1\]: each broker must be host:port \(/),
    ]);
  });
});
