'use strict';
/**
 * Finding Java runtimes: Kafka 4.1 needs 17+, Apicurio 3.3 needs 21+ (class file version 65).
 */
const {spawnSync} = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * @typedef {{java: string, home: string | undefined, version: number, source: string}} JavaRuntime
 */

/** Folders holding one JDK per subfolder, scanned for a JDK new enough for Apicurio. */
function jvmRoots() {
  return [
    '/usr/lib/jvm',
    '/usr/java',
    '/opt/java',
    '/opt/jdk',
    '/Library/Java/JavaVirtualMachines',
    path.join(os.homedir(), '.sdkman', 'candidates', 'java'),
    path.join(os.homedir(), '.jdks'),
  ];
}

/**
 * The feature version (17, 21, 25...) of the JDK/JRE at `home`, or undefined when none is there.
 * Reads `<home>/release` (no JVM start) and falls back to `java -version`.
 * @param {string} home
 */
function versionOfHome(home) {
  const java = javaIn(home);
  if (!java) return undefined;
  try {
    const release = fs.readFileSync(path.join(home, 'release'), 'utf8');
    const match = /^JAVA_VERSION="([^"]+)"/m.exec(release);
    if (match && match[1]) return featureVersion(match[1]);
  } catch {
    // no release file: ask the binary
  }
  return versionOfBinary(java);
}

/** @param {string} home */
function javaIn(home) {
  const java = path.join(home, 'bin', process.platform === 'win32' ? 'java.exe' : 'java');
  return fs.existsSync(java) ? java : undefined;
}

/** @param {string} java a java binary or a command on PATH */
function versionOfBinary(java) {
  const result = spawnSync(java, ['-version'], {encoding: 'utf8', timeout: 30_000});
  if (result.error || result.status !== 0) return undefined;
  const match = /version "([^"]+)"/.exec(`${result.stderr}${result.stdout}`);
  return match && match[1] ? featureVersion(match[1]) : undefined;
}

/** "1.8.0_392" -> 8, "17.0.15" -> 17, "25" -> 25 @param {string} text */
function featureVersion(text) {
  const parts = text.split(/[.+_-]/).map((p) => Number.parseInt(p, 10));
  const first = parts[0];
  if (first === undefined || Number.isNaN(first)) return undefined;
  return first === 1 && parts[1] !== undefined ? parts[1] : first;
}

/**
 * @param {string | undefined} home
 * @param {string} source
 * @returns {JavaRuntime | undefined}
 */
function fromHome(home, source) {
  if (!home) return undefined;
  const java = javaIn(home);
  const version = java ? versionOfHome(home) : undefined;
  return java && version !== undefined ? {java, home, version, source} : undefined;
}

/** The `java` on PATH, if any. @returns {JavaRuntime | undefined} */
function fromPath() {
  const version = versionOfBinary('java');
  if (version === undefined) return undefined;
  let home;
  try {
    const which = spawnSync('sh', ['-c', 'command -v java'], {encoding: 'utf8'});
    const real = fs.realpathSync(which.stdout.trim());
    home = path.dirname(path.dirname(real));
  } catch {
    home = undefined;
  }
  return {java: 'java', home, version, source: 'PATH'};
}

/**
 * Every JDK found under the usual install roots, newest first.
 * @returns {JavaRuntime[]}
 */
function scanInstalled() {
  /** @type {JavaRuntime[]} */
  const found = [];
  const seen = new Set();
  for (const root of jvmRoots()) {
    let entries;
    try {
      entries = fs.readdirSync(root);
    } catch {
      continue;
    }
    for (const entry of entries) {
      for (const home of [path.join(root, entry), path.join(root, entry, 'Contents', 'Home')]) {
        let real;
        try {
          real = fs.realpathSync(home);
        } catch {
          continue;
        }
        if (seen.has(real)) continue;
        seen.add(real);
        const runtime = fromHome(home, `scan of ${root}`);
        if (runtime) found.push(runtime);
      }
    }
  }
  return found.sort((a, b) => b.version - a.version);
}

/**
 * The Java to run Kafka with: KAFKA_JAVA_HOME, JAVA_HOME, then `java` on PATH; at least `minVersion`.
 * @param {{minVersion?: number, env?: NodeJS.ProcessEnv}} [options]
 * @returns {JavaRuntime | undefined}
 */
function findKafkaJava(options = {}) {
  const env = options.env ?? process.env;
  const min = options.minVersion ?? 17;
  const candidates = [
    () => fromHome(env.KAFKA_JAVA_HOME, 'KAFKA_JAVA_HOME'),
    () => fromHome(env.JAVA_HOME, 'JAVA_HOME'),
    fromPath,
  ];
  for (const candidate of candidates) {
    const runtime = candidate();
    if (runtime && runtime.version >= min) return runtime;
  }
  return scanInstalled().find((r) => r.version >= min);
}

/**
 * The Java to run Apicurio 3.3 with: APICURIO_JAVA_HOME or JAVA_HOME when >= `minVersion`, else `java` on
 * PATH when new enough, else the newest JDK >= `minVersion` under the usual install roots.
 * @param {{minVersion?: number, env?: NodeJS.ProcessEnv}} [options]
 * @returns {JavaRuntime | undefined}
 */
function findRegistryJava(options = {}) {
  const env = options.env ?? process.env;
  const min = options.minVersion ?? 21;
  for (const candidate of [
    () => fromHome(env.APICURIO_JAVA_HOME, 'APICURIO_JAVA_HOME'),
    () => fromHome(env.JAVA_HOME, 'JAVA_HOME'),
    fromPath,
  ]) {
    const runtime = candidate();
    if (runtime && runtime.version >= min) return runtime;
  }
  return scanInstalled().find((r) => r.version >= min);
}

module.exports = {findKafkaJava, findRegistryJava, versionOfHome, featureVersion, scanInstalled};
