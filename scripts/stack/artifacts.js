'use strict';
/**
 * Resolving the stack's artifacts from Maven Central into a cache under the repository:
 *   .cache/kafka-libs        broker and Kafka Connect worker classpath (maven-dependency-plugin copy-dependencies of
 *                            test/infra/kafka/pom.xml; ensureMavenDependencies does the same for any POM, e.g.
 *                            the plugins of scripts/downstream)
 *   .cache/apicurio-<ver>    Apicurio Registry app, extracted from io.apicurio:apicurio-registry-app:<ver>:tar.gz:all
 * Each folder is built in a temporary sibling and renamed into place with a `.complete` marker, under a lock, so
 * a second run (or a concurrent one) neither downloads nor extracts again.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const {URL} = require('node:url');

const {StackError, StackPrerequisiteError} = require('./errors');
const {withLock} = require('./lock');
const {run} = require('./processes');

const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const MARKER = '.complete';

/**
 * @param {string} rootDir the repository root
 * @param {string} cacheDir
 * @param {(msg: string) => void} log
 * @returns {Promise<string>} the folder holding the broker's (and the Connect worker's) jars
 */
function ensureKafkaLibs(rootDir, cacheDir, log) {
  return ensureMavenDependencies({
    pom: path.join(rootDir, 'test', 'infra', 'kafka', 'pom.xml'),
    dest: path.join(cacheDir, 'kafka-libs'),
    expectJar: /^kafka_2\.13-.*\.jar$/,
    what: 'the Kafka classpath (broker and Connect worker)',
    rootDir,
    cacheDir,
    log,
  });
}

/**
 * The runtime dependencies of a POM, copied by Maven into `dest` (maven-dependency-plugin copy-dependencies).
 * Resolved again only when the POM changes (its SHA-256 is the folder's `.complete` marker).
 * @param {{pom: string, dest: string, expectJar: RegExp, what: string, rootDir: string, cacheDir: string,
 *   log: (msg: string) => void}} options `expectJar`: a jar that must be among the result
 * @returns {Promise<string>} `dest`
 */
async function ensureMavenDependencies({pom, dest, expectJar, what, rootDir, cacheDir, log}) {
  const fingerprint = sha256(fs.readFileSync(pom));
  if (readMarker(dest) === fingerprint) return dest;
  fs.mkdirSync(cacheDir, {recursive: true});
  return withLock(
    path.join(cacheDir, `.lock-${path.basename(dest)}`),
    async () => {
      if (readMarker(dest) === fingerprint) return dest;
      const tmp = `${dest}.tmp-${process.pid}`;
      fs.rmSync(tmp, {recursive: true, force: true});
      log(`resolving ${what} with Maven into ${dest}`);
      const started = Date.now();
      await runMaven(
        [
          '-f',
          pom,
          `${DEPENDENCY_PLUGIN}:copy-dependencies`,
          '-DincludeScope=runtime',
          `-DoutputDirectory=${tmp}`,
        ],
        rootDir
      );
      if (!fs.readdirSync(tmp).some((f) => expectJar.test(f))) {
        throw new StackError(`Maven finished but ${tmp} holds no jar matching ${expectJar}`);
      }
      fs.writeFileSync(path.join(tmp, MARKER), fingerprint);
      replaceDir(tmp, dest);
      log(`${what} ready (${fs.readdirSync(dest).length - 1} jars, ${Date.now() - started} ms)`);
      return dest;
    },
    {log}
  );
}

/**
 * @param {string} version e.g. 3.3.3
 * @param {string} rootDir
 * @param {string} cacheDir
 * @param {(msg: string) => void} log
 * @returns {Promise<{dir: string, jar: string}>} the extracted app and its launcher jar
 */
async function ensureApicurio(version, rootDir, cacheDir, log) {
  const dest = path.join(cacheDir, `apicurio-${version}`);
  const ready = () => {
    const jar = readMarker(dest);
    return jar && fs.existsSync(path.join(dest, jar)) ? {dir: dest, jar: path.join(dest, jar)} : undefined;
  };
  const cached = ready();
  if (cached) return cached;
  return withLock(
    path.join(cacheDir, `.lock-apicurio-${version}`),
    async () => {
      const again = ready();
      if (again) return again;
      const started = Date.now();
      const tmp = `${dest}.tmp-${process.pid}`;
      const download = path.join(cacheDir, `.download-${process.pid}`);
      fs.rmSync(tmp, {recursive: true, force: true});
      fs.rmSync(download, {recursive: true, force: true});
      fs.mkdirSync(tmp, {recursive: true});
      fs.mkdirSync(download, {recursive: true});
      try {
        const archive = await fetchApicurioArchive(version, rootDir, download, log);
        log(`extracting ${path.basename(archive)}`);
        await run('tar', ['xzf', archive, '-C', tmp], {cwd: rootDir});
        const launcher = findLauncher(tmp);
        if (!launcher)
          throw new StackError(`no quarkus-run.jar or *-runner.jar in the Apicurio ${version} archive`);
        fs.writeFileSync(path.join(tmp, MARKER), launcher);
        replaceDir(tmp, dest);
        log(`Apicurio ${version} ready in ${dest} (${Date.now() - started} ms)`);
        return {dir: dest, jar: path.join(dest, launcher)};
      } finally {
        fs.rmSync(download, {recursive: true, force: true});
        fs.rmSync(tmp, {recursive: true, force: true});
      }
    },
    {log}
  );
}

/**
 * Maven first (local repository, mirrors from settings.xml). Some releases cannot be resolved by Maven at all:
 * 3.0.9's parent POM (io.apicurio:apicurio-registry:pom:3.0.9) is missing from Central, so reading the
 * artifact descriptor fails; then the archive is fetched over HTTPS and checked against Central's .sha1.
 * @param {string} version
 * @param {string} rootDir
 * @param {string} downloadDir
 * @param {(msg: string) => void} log
 */
async function fetchApicurioArchive(version, rootDir, downloadDir, log) {
  const coordinates = `io.apicurio:apicurio-registry-app:${version}:tar.gz:all`;
  const file = `apicurio-registry-app-${version}-all.tar.gz`;
  log(`resolving ${coordinates} with Maven`);
  try {
    await runMaven(
      [`${DEPENDENCY_PLUGIN}:copy`, `-Dartifact=${coordinates}`, `-DoutputDirectory=${downloadDir}`],
      rootDir
    );
    const archive = path.join(downloadDir, file);
    if (fs.existsSync(archive)) return archive;
    throw new StackError(`Maven finished but ${archive} is missing`);
  } catch (error) {
    if (error instanceof StackPrerequisiteError) throw error;
    const base = (process.env.MAVEN_CENTRAL_URL ?? 'https://repo.maven.apache.org/maven2').replace(/\/$/, '');
    const url = `${base}/io/apicurio/apicurio-registry-app/${version}/${file}`;
    log(`Maven could not resolve it (${firstLine(error)}); downloading ${url}`);
    const archive = path.join(downloadDir, file);
    await download(url, archive);
    const expected = (await downloadText(`${url}.sha1`)).trim().split(/\s+/)[0];
    const actual = await fileHash(archive, 'sha1');
    if (expected !== actual)
      throw new StackError(`SHA-1 mismatch for ${url}: expected ${expected}, got ${actual}`);
    return archive;
  }
}

/** The launcher jar, relative to the extracted root: 3.3+ quarkus-run.jar, 3.1.6-3.2 quarkus-app/, older *-runner.jar. */
function findLauncher(/** @type {string} */ root) {
  for (const candidate of ['quarkus-run.jar', path.join('quarkus-app', 'quarkus-run.jar')]) {
    if (fs.existsSync(path.join(root, candidate))) return candidate;
  }
  for (const entry of fs.readdirSync(root, {withFileTypes: true})) {
    if (entry.isFile() && entry.name.endsWith('-runner.jar')) return entry.name;
    if (entry.isDirectory()) {
      const inner = fs.readdirSync(path.join(root, entry.name));
      if (inner.includes('quarkus-run.jar')) return path.join(entry.name, 'quarkus-run.jar');
      const runner = inner.find((f) => f.endsWith('-runner.jar'));
      if (runner) return path.join(entry.name, runner);
    }
  }
  return undefined;
}

/** @param {string[]} args @param {string} cwd */
async function runMaven(args, cwd) {
  const mvn = process.env.MVN ?? 'mvn';
  try {
    await run(mvn, ['-B', '-q', ...args], {cwd});
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') {
      throw new StackPrerequisiteError(
        'Maven (mvn) is not installed: the local stack resolves Kafka and Apicurio from Maven Central with it. ' +
          'Install Maven 3.8+ (e.g. apt-get install maven), or set MVN to its path.'
      );
    }
    throw error;
  }
}

/**
 * @param {string} url
 * @returns {Promise<import('node:http').IncomingMessage>}
 */
function get(url, redirects = 5) {
  return new Promise((resolve, reject) => {
    https
      .get(url, {timeout: 60_000}, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
          res.resume();
          resolve(get(new URL(res.headers.location, url).toString(), redirects - 1));
        } else if (status !== 200) {
          res.resume();
          reject(new StackError(`GET ${url}: HTTP ${status}`, {retriable: status >= 500}));
        } else {
          resolve(res);
        }
      })
      .on('timeout', function onTimeout() {
        this.destroy(new StackError(`GET ${url}: timed out`, {retriable: true}));
      })
      .on('error', reject);
  });
}

/** @param {string} url @param {string} file */
async function download(url, file) {
  const res = await get(url);
  await new Promise((resolve, reject) => {
    const out = fs.createWriteStream(file);
    res.pipe(out);
    res.on('error', reject);
    out.on('error', reject);
    out.on('finish', () => resolve(undefined));
  });
}

/** @param {string} url */
async function downloadText(url) {
  const res = await get(url);
  let text = '';
  res.setEncoding('utf8');
  for await (const chunk of res) text += chunk;
  return text;
}

/** @param {string} file @param {string} algorithm */
function fileHash(file, algorithm) {
  return new Promise((resolve, reject) => {
    const hash = crypto.createHash(algorithm);
    fs.createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** @param {Buffer} data */
function sha256(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** @param {string} dir */
function readMarker(dir) {
  try {
    return fs.readFileSync(path.join(dir, MARKER), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Renames `tmp` over `dest` (removing an outdated `dest` first). @param {string} tmp @param {string} dest */
function replaceDir(tmp, dest) {
  if (fs.existsSync(dest)) {
    const old = `${dest}.old-${process.pid}`;
    fs.renameSync(dest, old);
    fs.rmSync(old, {recursive: true, force: true});
  }
  fs.renameSync(tmp, dest);
}

/** @param {unknown} error */
function firstLine(error) {
  const lines = String(error instanceof Error ? error.message : error).split('\n');
  const reason = lines.find((l) => l.includes('[ERROR]')) ?? lines[0] ?? '';
  return reason.replace('[ERROR] ', '').slice(0, 300);
}

module.exports = {ensureKafkaLibs, ensureMavenDependencies, ensureApicurio, findLauncher};
