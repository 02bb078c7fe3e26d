'use strict';
/**
 * The Kafka Connect side of the downstream setup, resolved from Maven Central into the repository's cache:
 *   .cache/kafka-libs/                                  worker classpath: the local stack's Kafka classpath
 *                                                       (test/infra/kafka/pom.xml holds connect-runtime too)
 *   .cache/connect-plugins/debezium-connector-jdbc/     plugin (examples/jdbc-sink/plugins/debezium-connector-jdbc)
 *   .cache/connect-plugins/apicurio-converter/          plugin (examples/jdbc-sink/plugins/apicurio-converter),
 *                                                       plus a ServiceLoader manifest jar (manifest-jar.js)
 * Each folder is resolved again only when its POM changes (scripts/stack's ensureMavenDependencies).
 */
const fs = require('node:fs');
const path = require('node:path');

const {ensureKafkaLibs, ensureMavenDependencies} = require('../stack/artifacts');
const {writeServiceManifestJar} = require('./manifest-jar');

const CONVERTER_MANIFEST_JAR = 'pinterest-cdc-service-manifests.jar';

/**
 * @param {{rootDir: string, cacheDir: string, log: (msg: string) => void}} options
 * @returns {Promise<{workerLibs: string, pluginPath: string}>}
 */
async function ensureConnectArtifacts({rootDir, cacheDir, log}) {
  const pluginPath = path.join(cacheDir, 'connect-plugins');
  const plugin = (/** @type {string} */ name, /** @type {RegExp} */ expectJar) =>
    ensureMavenDependencies({
      pom: path.join(rootDir, 'examples', 'jdbc-sink', 'plugins', name, 'pom.xml'),
      dest: path.join(pluginPath, name),
      expectJar,
      what: `the Kafka Connect plugin ${name}`,
      rootDir,
      cacheDir,
      log,
    });
  // One Maven at a time: run side by side on 2 cores, the three resolutions took longer than one after another.
  const workerLibs = await ensureKafkaLibs(rootDir, cacheDir, log);
  await plugin('debezium-connector-jdbc', /^debezium-connector-jdbc-.*\.jar$/);
  const converter = await plugin('apicurio-converter', /^apicurio-registry-utils-converter-.*\.jar$/);
  const manifest = path.join(converter, CONVERTER_MANIFEST_JAR);
  if (!fs.existsSync(manifest)) {
    const tmp = `${manifest}.tmp-${process.pid}`;
    writeServiceManifestJar(tmp, {
      'org.apache.kafka.connect.storage.Converter': ['io.apicurio.registry.utils.converter.AvroConverter'],
    });
    fs.renameSync(tmp, manifest);
  }
  return {workerLibs, pluginPath};
}

module.exports = {ensureConnectArtifacts};
