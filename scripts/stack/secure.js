'use strict';
/**
 * The stack's secured mode (`startStack({secure: true})`, `stack.js up --secure`): Kafka's client listener
 * speaks SASL_SSL with SCRAM-SHA-512 and a certificate signed by a CA generated for this stack, and the
 * registry requires HTTP basic auth. The controller and inter-broker listeners stay PLAINTEXT on 127.0.0.1
 * (one node: they carry no client traffic).
 *
 * Everything secret lives under <dir>/secure/ (mode 0700), removed on stop:
 *   ca.pem, ca-key.pem        the CA (what clients trust: KAFKA_SSL_CA_FILE)
 *   broker-keystore.pem       the broker's PKCS#8 key and certificate chain (Kafka's PEM keystore, KIP-651)
 *   registry.properties       Apicurio's basic-auth users (Quarkus embedded users), read through
 *                             -Dquarkus.config.locations so no password sits on a command line
 * Certificates come from the `openssl` command line tool: node:crypto makes keys but cannot sign X.509.
 */
const {execFile} = require('node:child_process');
const {Buffer} = require('node:buffer');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const {promisify} = require('node:util');

const {StackError, StackPrerequisiteError} = require('./errors');

const execFileAsync = promisify(execFile);

/** The SASL mechanism of the secured listener, as Kafka names it and as the service's setting spells it. */
const SCRAM_MECHANISM = 'SCRAM-SHA-512';
const SERVICE_MECHANISM = /** @type {const} */ ('scram-sha-512');
/** Name of the SASL_SSL listener in server.properties (its per-listener settings are prefixed by it). */
const LISTENER = 'SASL_SSL';
const CERT_DAYS = 30;
/** `openssl req` arguments for a new unencrypted EC P-256 key (PKCS#8, which Kafka's PEM keystore reads). */
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
const SECURE_DIR = 'secure';

/** @typedef {import('./index').StackSecurity} StackSecurity */

/** Throws a StackPrerequisiteError unless `openssl` runs. */
async function requireOpenssl() {
  try {
    await openssl(['version']);
  } catch (error) {
    throw new StackPrerequisiteError(
      'The secured stack needs the openssl command line tool to make its CA and broker certificate ' +
        `(${error instanceof Error ? error.message : String(error)}). Install it (e.g. apt-get install openssl).`
    );
  }
}

/** @param {string[]} args @param {string} [cwd] */
async function openssl(args, cwd) {
  try {
    const {stdout} = await execFileAsync(process.env.OPENSSL ?? 'openssl', args, {cwd, timeout: 60_000});
    return stdout;
  } catch (error) {
    const e = /** @type {NodeJS.ErrnoException & {stderr?: string}} */ (error);
    if (e.code === 'ENOENT') throw error;
    throw new StackError(`openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim().slice(0, 500)}`, {
      cause: error,
    });
  }
}

/** A random secret: 24 bytes, base64url (safe in shells, Kafka's --add-scram syntax and properties files). */
function newSecret() {
  return crypto.randomBytes(24).toString('base64url');
}

/** A positive 128-bit certificate serial number in hex (RFC 5280: at most 20 octets, not negative). */
function newSerial() {
  const bytes = crypto.randomBytes(16);
  bytes[0] = /** @type {number} */ (bytes[0]) & 0x7f;
  return `0x${bytes.toString('hex')}`;
}

/**
 * A self-signed CA (EC P-256) in `dir`: `<name>.pem` (certificate) and `<name>-key.pem` (PKCS#8 key).
 * Also used by tests to make a CA that did not sign the broker's certificate.
 * @param {string} dir @param {{name?: string, commonName?: string}} [options]
 * @returns {Promise<{certFile: string, keyFile: string}>}
 */
async function generateCa(dir, options = {}) {
  const name = options.name ?? 'ca';
  const certFile = path.join(dir, `${name}.pem`);
  const keyFile = path.join(dir, `${name}-key.pem`);
  fs.mkdirSync(dir, {recursive: true, mode: 0o700});
  await openssl([
    'req',
    '-x509',
    ...NEW_KEY,
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    String(CERT_DAYS),
    '-set_serial',
    newSerial(),
    '-subj',
    `/CN=${options.commonName ?? 'pinterest-cdc local stack CA'}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return {certFile, keyFile};
}

/**
 * A server certificate for 127.0.0.1 and localhost signed by the CA, written with its key and the CA as one
 * PEM keystore (key first, then the chain: the layout Kafka's `ssl.keystore.type=PEM` reads).
 * @param {string} dir @param {{certFile: string, keyFile: string}} ca
 * @returns {Promise<string>} the keystore file
 */
async function generateServerKeystore(dir, ca) {
  const keyFile = path.join(dir, 'broker-key.pem');
  const csrFile = path.join(dir, 'broker.csr');
  const certFile = path.join(dir, 'broker.pem');
  const extFile = path.join(dir, 'broker-ext.cnf');
  const keystoreFile = path.join(dir, 'broker-keystore.pem');
  await openssl(['req', '-new', ...NEW_KEY, '-keyout', keyFile, '-out', csrFile, '-subj', '/CN=127.0.0.1']);
  // Clients verify the name they dialled against the subject alternative names (the stack listens on 127.0.0.1).
  fs.writeFileSync(
    extFile,
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '',
    ].join('\n')
  );
  await openssl([
    'x509',
    '-req',
    '-in',
    csrFile,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    '-set_serial',
    newSerial(),
    '-days',
    String(CERT_DAYS),
    '-extfile',
    extFile,
    '-out',
    certFile,
  ]);
  const pem = [keyFile, certFile, ca.certFile].map((f) => fs.readFileSync(f, 'utf8').trimEnd()).join('\n');
  fs.writeFileSync(keystoreFile, `${pem}\n`, {mode: 0o600});
  for (const f of [keyFile, csrFile, certFile, extFile]) fs.rmSync(f, {force: true});
  return keystoreFile;
}

/**
 * Makes this start's CA, broker keystore and credentials under <stack dir>/secure (replacing earlier ones).
 * @param {string} stackDir
 * @returns {Promise<StackSecurity>}
 */
async function prepareSecurity(stackDir) {
  await requireOpenssl();
  const dir = path.join(stackDir, SECURE_DIR);
  fs.rmSync(dir, {recursive: true, force: true});
  fs.mkdirSync(dir, {recursive: true, mode: 0o700});
  const ca = await generateCa(dir);
  const keystoreFile = await generateServerKeystore(dir, ca);
  const registry = {username: 'registry-user', password: newSecret()};
  const registryAuthFile = path.join(dir, 'registry.properties');
  fs.writeFileSync(registryAuthFile, registryAuthProperties(registry), {mode: 0o600});
  return {
    dir,
    caFile: ca.certFile,
    keystoreFile,
    registryAuthFile,
    kafka: {mechanism: SERVICE_MECHANISM, username: 'pinterest-cdc', password: newSecret()},
    registry,
  };
}

/**
 * Apicurio 3.x runs Quarkus with its embedded-users identity provider built in
 * (`quarkus.security.users.embedded.enabled=true` in its application.properties); turning on HTTP basic auth
 * makes every API answer 401 without valid credentials, and any authenticated user may write (role-based
 * authorization stays off). Apicurio's own test suite runs it this way (BasicAuthWithPropertiesTestProfile).
 * @param {{username: string, password: string}} user
 */
function registryAuthProperties(user) {
  return [
    '# Written by scripts/stack (secured mode): HTTP basic auth with one user.',
    'quarkus.http.auth.basic=true',
    'quarkus.security.users.embedded.plain-text=true',
    `quarkus.security.users.embedded.users.${user.username}=${user.password}`,
    '',
  ].join('\n');
}

/** The registry JVM's extra flags: where its auth settings are (the file, not the secret itself). */
function registrySecurityArgs(/** @type {StackSecurity} */ security) {
  return [`-Dquarkus.config.locations=${security.registryAuthFile}`];
}

/** `kafka-storage format` arguments that create the SCRAM user before the broker first starts. */
function scramFormatArgs(/** @type {StackSecurity} */ security) {
  const {username, password} = security.kafka;
  return ['--add-scram', `${SCRAM_MECHANISM}=[name=${username},password=${password}]`];
}

/**
 * The listener block of server.properties for the secured mode: clients on SASL_SSL, the broker's own
 * traffic on PLAINTEXT listeners that nothing else is told about.
 * @param {{kafkaPort: number, internalPort: number, controllerPort: number, keystoreFile: string}} ports
 */
function secureListenerProperties({kafkaPort, internalPort, controllerPort, keystoreFile}) {
  const prefix = `listener.name.${LISTENER.toLowerCase()}`;
  return `listeners=${LISTENER}://127.0.0.1:${kafkaPort},INTERNAL://127.0.0.1:${internalPort},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=${LISTENER}://127.0.0.1:${kafkaPort},INTERNAL://127.0.0.1:${internalPort},CONTROLLER://127.0.0.1:${controllerPort}
controller.listener.names=CONTROLLER
inter.broker.listener.name=INTERNAL
listener.security.protocol.map=${LISTENER}:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
# Clients: TLS with the stack's certificate (no client certificates), then SCRAM-SHA-512 (users created by
# kafka-storage format --add-scram). No authorizer: an authenticated user may do anything.
sasl.enabled.mechanisms=${SCRAM_MECHANISM}
${prefix}.sasl.enabled.mechanisms=${SCRAM_MECHANISM}
${prefix}.${SCRAM_MECHANISM.toLowerCase()}.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
${prefix}.ssl.keystore.type=PEM
${prefix}.ssl.keystore.location=${keystoreFile}
${prefix}.ssl.client.auth=none`;
}

/**
 * The service's environment for the secured stack (the settings of src/config/settings.ts).
 * @param {StackSecurity} security
 * @returns {Partial<import('./index').StackEnv>}
 */
function securityEnv(security) {
  return {
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: security.caFile,
    KAFKA_SASL_MECHANISM: security.kafka.mechanism,
    KAFKA_SASL_USERNAME: security.kafka.username,
    KAFKA_SASL_PASSWORD: security.kafka.password,
    SCHEMA_REGISTRY_USERNAME: security.registry.username,
    SCHEMA_REGISTRY_PASSWORD: security.registry.password,
  };
}

/**
 * kafkajs client options that reach the secured listener (for the stack's own readiness probe).
 * @param {StackSecurity} security
 */
function kafkajsSecurity(security) {
  return {
    ssl: {ca: [fs.readFileSync(security.caFile, 'utf8')]},
    sasl: {
      mechanism: security.kafka.mechanism,
      username: security.kafka.username,
      password: security.kafka.password,
    },
  };
}

/** The Authorization header of the registry's user. @param {{username: string, password: string}} user */
function basicAuthHeader(user) {
  return `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
}

module.exports = {
  prepareSecurity,
  generateCa,
  registrySecurityArgs,
  scramFormatArgs,
  secureListenerProperties,
  securityEnv,
  kafkajsSecurity,
  basicAuthHeader,
  SCRAM_MECHANISM,
};
