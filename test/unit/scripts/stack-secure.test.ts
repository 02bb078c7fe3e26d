/**
 * The local stack's secured mode without starting a JVM: the certificates openssl makes (real openssl, checked
 * with node:crypto), the broker's listener block, the SCRAM user of `kafka-storage format`, and the environment
 * the stack prints, which must load as the service's configuration. The broker and registry themselves are
 * exercised in test/integration/secure.
 */
import {X509Certificate, createPrivateKey} from 'node:crypto';
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {loadConfig} from '../../../src/config';

/* eslint-disable @typescript-eslint/no-require-imports */
const secure = require('../../../scripts/stack/secure') as {
  prepareSecurity(dir: string): Promise<Security>;
  secureListenerProperties(o: {
    kafkaPort: number;
    internalPort: number;
    controllerPort: number;
    keystoreFile: string;
  }): string;
  scramFormatArgs(s: Security): string[];
  securityEnv(s: Security): Record<string, string>;
  registrySecurityArgs(s: Security): string[];
};
const {envLines} = require('../../../scripts/stack') as {envLines(env: Record<string, string>): string[]};
/* eslint-enable @typescript-eslint/no-require-imports */

interface Security {
  dir: string;
  caFile: string;
  keystoreFile: string;
  registryAuthFile: string;
  kafka: {mechanism: string; username: string; password: string};
  registry: {username: string; password: string};
}

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g;

describe('secured stack material', () => {
  let stackDir: string;
  let security: Security;
  beforeAll(async () => {
    stackDir = mkdtempSync(join(tmpdir(), 'cdc-stack-secure-'));
    security = await secure.prepareSecurity(stackDir);
  });
  afterAll(() => rmSync(stackDir, {recursive: true, force: true}));

  it('makes a CA and a broker keystore whose certificate the CA signed, for 127.0.0.1 and localhost', () => {
    const ca = new X509Certificate(readFileSync(security.caFile));
    expect(ca.ca).toBe(true);
    const blocks = readFileSync(security.keystoreFile, 'utf8').match(PEM_BLOCK) ?? [];
    // Kafka's PEM keystore: the PKCS#8 key, then the chain (leaf first).
    expect(blocks.map((b) => b.split('\n')[0])).toEqual([
      '-----BEGIN PRIVATE KEY-----',
      '-----BEGIN CERTIFICATE-----',
      '-----BEGIN CERTIFICATE-----',
    ]);
    const leaf = new X509Certificate(blocks[1]!);
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(new X509Certificate(blocks[2]!).fingerprint256).toBe(ca.fingerprint256);
    // The key in the keystore is the certificate's.
    const key = createPrivateKey(blocks[0]!);
    expect(leaf.checkPrivateKey(key)).toBe(true);
    expect(new Date(leaf.validTo).getTime()).toBeGreaterThan(Date.now() + 7 * 86_400_000);
  });

  it('keeps the secrets owner-only and off the command lines', () => {
    expect(statSync(security.dir).mode & 0o777).toBe(0o700);
    for (const file of [security.keystoreFile, security.registryAuthFile])
      expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(secure.registrySecurityArgs(security)).toEqual([
      `-Dquarkus.config.locations=${security.registryAuthFile}`,
    ]);
    expect(readFileSync(security.registryAuthFile, 'utf8')).toContain(
      `quarkus.security.users.embedded.users.${security.registry.username}=${security.registry.password}`
    );
    expect(readFileSync(security.registryAuthFile, 'utf8')).toContain('quarkus.http.auth.basic=true');
    expect(security.kafka.password).not.toBe(security.registry.password);
    expect(security.kafka.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('creates the SCRAM-SHA-512 user at format time and puts clients on SASL_SSL only', () => {
    expect(secure.scramFormatArgs(security)).toEqual([
      '--add-scram',
      `SCRAM-SHA-512=[name=${security.kafka.username},password=${security.kafka.password}]`,
    ]);
    const props = secure.secureListenerProperties({
      kafkaPort: 1001,
      internalPort: 1002,
      controllerPort: 1003,
      keystoreFile: security.keystoreFile,
    });
    const lines = Object.fromEntries(
      props
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])
    );
    expect(lines).toMatchObject({
      listeners: 'SASL_SSL://127.0.0.1:1001,INTERNAL://127.0.0.1:1002,CONTROLLER://127.0.0.1:1003',
      'inter.broker.listener.name': 'INTERNAL',
      'listener.security.protocol.map': 'SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'listener.name.sasl_ssl.ssl.keystore.type': 'PEM',
      'listener.name.sasl_ssl.ssl.keystore.location': security.keystoreFile,
    });
    expect(lines['listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config']).toMatch(
      /ScramLoginModule required;$/
    );
    // The password only reaches kafka-storage's arguments, never server.properties.
    expect(props).not.toContain(security.kafka.password);
  });

  it('prints an environment that loads as the service configuration for the secured stack', () => {
    const env = {
      KAFKA_BROKERS: '127.0.0.1:1001',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1004/apis/ccompat/v7',
      ...secure.securityEnv(security),
    };
    const lines = envLines(env);
    expect(lines).toContain(`KAFKA_SSL_CA_FILE=${security.caFile}`);
    const parsed = Object.fromEntries(
      lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])
    );
    const config = loadConfig({env: {...parsed, PINTEREST_ACCESS_TOKEN: 'pina.token'}});
    expect(config.kafka).toMatchObject({
      ssl: true,
      sslCaFile: security.caFile,
      sasl: {
        mechanism: 'scram-sha-512',
        username: security.kafka.username,
        password: security.kafka.password,
      },
    });
    expect(config.schemaRegistry).toMatchObject({
      username: security.registry.username,
      password: security.registry.password,
    });
  });

  it('quotes env values a shell would misread', () => {
    expect(envLines({KAFKA_BROKERS: 'h:1', SCHEMA_REGISTRY_URL: "/a b/it's"})).toEqual([
      'KAFKA_BROKERS=h:1',
      `SCHEMA_REGISTRY_URL='/a b/it'\\''s'`,
    ]);
  });
});
