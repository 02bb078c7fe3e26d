/**
 * Reading Kafka's refusals: the errors are kafkajs' own classes, built as kafkajs builds them for a refused SCRAM
 * login, an unsupported mechanism and an untrusted certificate (messages as seen against the local stack's
 * SASL_SSL listener, test/integration/secure). The CA file check reads real files. Seam: none (pure functions).
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSSASLAuthenticationError,
} from 'kafkajs';

import {ConfigError} from '../../../src/errors';
import {accessProblem, readCaFile} from '../../../src/kafka/access';
import {kafkajsConfig} from '../../../src/kafka/connection';
import type {KafkaConnectionConfig} from '../../../src/kafka/types';

const CA = join(__dirname, 'fixtures', 'test-ca.pem');
const silent = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};

const secured: KafkaConnectionConfig = {
  brokers: ['127.0.0.1:9093'],
  clientId: 'cdc',
  ssl: true,
  sslCaFile: '/etc/cdc/ca.pem',
  sasl: {mechanism: 'scram-sha-512', username: 'cdc-user', password: 'hunter2-secret'},
};

// kafkajs' type declarations list fewer constructor arguments than its classes take (src/errors.js).
const protocolError = (e: {message: string; type: string; code: number; retriable: boolean}) =>
  new KafkaJSProtocolError(e as unknown as Error);
const saslError = (message: string) =>
  new (KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error)(message);

/** kafkajs wraps a connection error that outlived its retries. */
function afterRetries(message: string, code: string): Error {
  const cause = new KafkaJSConnectionError(`Connection error: ${message}`, {broker: '127.0.0.1:9093', code});
  return new KafkaJSNumberOfRetriesExceeded(cause, {retryCount: 5, retryTime: 5000});
}

describe('accessProblem', () => {
  it('names user, mechanism, broker and the settings for a refused SCRAM login, never the password', () => {
    const error = saslError(
      'SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid ' +
        'credentials with SASL mechanism SCRAM-SHA-512'
    );
    const message = accessProblem(error, secured);
    expect(message).toBe(
      'Kafka authentication failed for user "cdc-user" with SASL SCRAM-SHA-512 at 127.0.0.1:9093 (broker: ' +
        'Authentication failed during authentication due to invalid credentials with SASL mechanism ' +
        'SCRAM-SHA-512). Check kafka.sasl.username and kafka.sasl.password (KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD).'
    );
    expect(message).not.toContain('hunter2-secret');
  });

  it('tells a mechanism the listener does not offer, and SASL sent to a listener without it', () => {
    const unsupported = protocolError({
      message: 'The broker does not support the requested SASL mechanism',
      type: 'UNSUPPORTED_SASL_MECHANISM',
      code: 33,
      retriable: false,
    });
    expect(
      accessProblem(unsupported, {...secured, sasl: {...secured.sasl!, mechanism: 'scram-sha-256'}})
    ).toMatch(/^Kafka at 127\.0\.0\.1:9093 does not offer SASL SCRAM-SHA-256 on this listener/);
    const illegal = protocolError({
      message: 'Request is not valid given the current SASL state',
      type: 'ILLEGAL_SASL_STATE',
      code: 34,
      retriable: false,
    });
    expect(accessProblem(illegal, secured)).toMatch(/does not expect a SASL login on this listener/);
  });

  it('says which CA did not sign the certificate, or that none was configured', () => {
    const error = afterRetries('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN');
    expect(accessProblem(error, secured)).toBe(
      'Kafka TLS failed: the certificate of 127.0.0.1:9093 is not trusted (self-signed certificate in ' +
        'certificate chain, SELF_SIGNED_CERT_IN_CHAIN): the CA in kafka.sslCaFile (/etc/cdc/ca.pem) did not ' +
        'sign it. Set kafka.sslCaFile (KAFKA_SSL_CA_FILE) to the PEM file of the CA that signed the broker ' +
        'certificates.'
    );
    expect(accessProblem(error, {...secured, sslCaFile: undefined})).toContain(
      'no CA this process trusts signed it'
    );
    expect(
      accessProblem(
        afterRetries('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
        secured
      )
    ).toMatch(/^Kafka TLS failed: .* is not trusted/);
  });

  it('tells an expired certificate and a certificate for another host', () => {
    expect(accessProblem(afterRetries('certificate has expired', 'CERT_HAS_EXPIRED'), secured)).toMatch(
      /outside its validity period \(certificate has expired, CERT_HAS_EXPIRED\)/
    );
    expect(
      accessProblem(
        afterRetries("Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'),
        secured
      )
    ).toMatch(/does not name that host/);
  });

  it('leaves failures that are not about TLS or SASL to the retries', () => {
    expect(accessProblem(afterRetries('connect ECONNREFUSED 127.0.0.1:9093', 'ECONNREFUSED'), secured)).toBe(
      undefined
    );
    expect(accessProblem(new Error('Closed connection'), secured)).toBeUndefined();
    // A SASL error without SASL configured cannot come from our login.
    expect(accessProblem(saslError('x'), {...secured, sasl: undefined})).toBe(undefined);
  });
});

describe('kafka.sslCaFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cdc-ca-'));
  });
  afterAll(() => rmSync(dir, {recursive: true, force: true}));

  it('hands the CA file certificates to kafkajs as its TLS ca', () => {
    const config = kafkajsConfig({...secured, sslCaFile: CA}, silent);
    expect(config.ssl).toEqual({
      ca: [expect.stringMatching(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----$/)],
    });
    expect(kafkajsConfig({...secured, sslCaFile: undefined}, silent).ssl).toBe(true);
  });

  it('is a configuration error when unreadable, not PEM, or a certificate that does not parse', () => {
    const notPem = join(dir, 'not-pem.txt');
    writeFileSync(notPem, 'just text\n');
    const broken = join(dir, 'broken.pem');
    writeFileSync(
      broken,
      '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n'
    );
    expect(readCaFile(join(dir, 'missing.pem'))).toEqual({
      problem: `kafka.sslCaFile: cannot read ${join(dir, 'missing.pem')} (ENOENT)`,
    });
    expect(readCaFile(notPem)).toEqual({
      problem: `kafka.sslCaFile: ${notPem} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    });
    expect(readCaFile(broken)).toMatchObject({
      problem: expect.stringContaining(`kafka.sslCaFile: certificate 1 of ${broken} does not parse`),
    });
    expect(() => kafkajsConfig({...secured, sslCaFile: notPem}, silent)).toThrow(ConfigError);
  });
});
