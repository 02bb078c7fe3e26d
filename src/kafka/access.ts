/**
 * Whether Kafka lets this client in: TLS (the broker's certificate checked against the configured CA) and SASL
 * (the login). A refusal of either is a configuration problem that no retry fixes, so it is reported at once,
 * naming the setting to change, instead of surfacing after kafkajs' retries as a generic connection error.
 */
import {X509Certificate} from 'node:crypto';
import {readFileSync} from 'node:fs';

import {Kafka, logLevel, type KafkaConfig} from 'kafkajs';

import {CdcError} from '../errors';
import {errorChain} from './kafka-errors';
import type {KafkaConnectionConfig, KafkaLogger} from './types';

/** Kafka refused this client's TLS handshake or SASL login: fix the configuration (never retriable). */
export class KafkaAccessError extends CdcError {
  constructor(message: string, cause: unknown) {
    super(message, {retriable: false, cause});
  }
}

/** The certificates of a CA file, or the problem with it (a `kafka.sslCaFile` configuration problem). */
export function readCaFile(file: string): {certificates: string[]} | {problem: string} {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return {problem: `kafka.sslCaFile: cannot read ${file} (${code})`};
  }
  const certificates = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (certificates.length === 0)
    return {problem: `kafka.sslCaFile: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`};
  for (const [index, certificate] of certificates.entries()) {
    try {
      new X509Certificate(certificate);
    } catch (error) {
      return {
        problem: `kafka.sslCaFile: certificate ${index + 1} of ${file} does not parse (${(error as Error).message})`,
      };
    }
  }
  return {certificates};
}

/**
 * Node's certificate verification failures (tls `authorizationError` codes and the host name check): the
 * broker's certificate is not one this client may trust with its configuration.
 */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);
const EXPIRED_CERTIFICATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const WRONG_HOST = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);

/**
 * What a failed first connection says about this client's TLS or SASL settings, as a message naming the
 * setting to fix; undefined when the failure is not about them (a broker down or starting, a network error).
 */
export function accessProblem(error: unknown, config: KafkaConnectionConfig): string | undefined {
  const chain = errorChain(error);
  const broker =
    chain.map((e) => (e as {broker?: unknown}).broker).find((b): b is string => typeof b === 'string') ??
    config.brokers.join(',');
  const sasl = config.sasl;
  const mechanism = sasl?.mechanism.toUpperCase();

  const login = chain.find((e) => e.name === 'KafkaJSSASLAuthenticationError');
  if (login && sasl) {
    const reason = String(login.message).replace(/^SASL .*? authentication failed: /, '');
    return (
      `Kafka authentication failed for user "${sasl.username}" with SASL ${mechanism} at ${broker} ` +
      `(broker: ${reason}). Check kafka.sasl.username and kafka.sasl.password ` +
      '(KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD).'
    );
  }
  if (chain.some((e) => e.type === 'UNSUPPORTED_SASL_MECHANISM')) {
    return (
      `Kafka at ${broker} does not offer SASL ${mechanism} on this listener: set kafka.sasl.mechanism ` +
      '(KAFKA_SASL_MECHANISM) to a mechanism the listener enables.'
    );
  }
  if (chain.some((e) => e.type === 'ILLEGAL_SASL_STATE')) {
    return (
      `Kafka at ${broker} does not expect a SASL login on this listener: unset kafka.sasl.mechanism ` +
      '(KAFKA_SASL_MECHANISM), or point kafka.brokers at the SASL listener.'
    );
  }

  const tls = chain.find((e) => typeof e.code === 'string');
  const code = typeof tls?.code === 'string' ? tls.code : '';
  const detail = `${String(tls?.message).replace(/^Connection error: /, '')}, ${code}`;
  const caFix =
    'Set kafka.sslCaFile (KAFKA_SSL_CA_FILE) to the PEM file of the CA that signed the broker certificates.';
  if (UNTRUSTED_CERTIFICATE.has(code)) {
    const trusted = config.sslCaFile
      ? `the CA in kafka.sslCaFile (${config.sslCaFile}) did not sign it`
      : "no CA this process trusts signed it (Node's bundled CAs and NODE_EXTRA_CA_CERTS; kafka.sslCaFile is unset)";
    return `Kafka TLS failed: the certificate of ${broker} is not trusted (${detail}): ${trusted}. ${caFix}`;
  }
  if (EXPIRED_CERTIFICATE.has(code))
    return `Kafka TLS failed: the certificate of ${broker} is outside its validity period (${detail}).`;
  if (WRONG_HOST.has(code)) {
    return (
      `Kafka TLS failed: the certificate of ${broker} does not name that host (${detail}): use a broker ` +
      'address the certificate lists in kafka.brokers.'
    );
  }
  return undefined;
}

/**
 * A failure that usually means a security mismatch but can also be a broker going away: worth a hint in the
 * log, not a verdict.
 */
function closedEarlyHint(error: unknown, config: KafkaConnectionConfig): string | undefined {
  const messages = errorChain(error).map((e) => String(e.message));
  if (messages.some((m) => m.includes('before secure TLS connection was established'))) {
    return 'the broker closed the connection during the TLS handshake: is this listener TLS (kafka.ssl)?';
  }
  if (messages.some((m) => m.includes('Closed connection')) && !(config.ssl && config.sasl)) {
    return (
      'the broker closed the connection before answering: a listener that requires TLS (kafka.ssl) or SASL ' +
      '(kafka.sasl.*) does that to clients without them'
    );
  }
  return undefined;
}

/**
 * Connects once, without kafkajs' retries (a refused certificate or login stays refused) and without its log
 * lines (the outcome is reported here): throws a KafkaAccessError for a TLS or SASL refusal. Any other failure
 * is left to the callers' own retries, with a hint logged when it looks like a security mismatch.
 */
export async function verifyAccess(
  kafkajs: KafkaConfig,
  config: KafkaConnectionConfig,
  logger: KafkaLogger
): Promise<void> {
  const admin = new Kafka({...kafkajs, logLevel: logLevel.NOTHING, retry: {retries: 0}}).admin();
  try {
    await admin.connect();
  } catch (error) {
    const problem = accessProblem(error, config);
    if (problem !== undefined) throw new KafkaAccessError(problem, error);
    const hint = closedEarlyHint(error, config);
    if (hint !== undefined)
      logger.warn({brokers: config.brokers, hint}, `First connection to Kafka failed: ${hint}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
