'use strict';
/**
 * PostgreSQL for the downstream setup: the server binaries of the Debian packages (postgresql-15), a throwaway
 * cluster (initdb, trust authentication, TCP on 127.0.0.1 only, no Unix socket, no fsync) and psql queries.
 *
 * PostgreSQL refuses to run as root ("root execution of the PostgreSQL server is not permitted"). As root, initdb
 * and the server run as the `postgres` user the Debian package creates (else `nobody`), with the cluster in a
 * temporary folder that user owns; as any other user, as that user.
 */
const {spawnSync} = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const {StackError, StackPrerequisiteError} = require('../stack/errors');
const {withLock} = require('../stack/lock');
const {run} = require('../stack/processes');

const PREFERRED_MAJOR = 15;
const DEBIAN_ROOT = '/usr/lib/postgresql';
/** The superuser initdb creates; trust authentication, so no password. */
const SUPERUSER = 'cdc';
const DATABASE = 'postgres';

/**
 * @typedef {{binDir: string, major: number}} PostgresBinaries
 * @typedef {{uid: number, gid: number, name: string} | undefined} RunAs undefined: the current user
 */

/**
 * The server binaries: POSTGRES_BIN_DIR, else Debian's /usr/lib/postgresql/15/bin, else another installed major
 * (newest first), else `apt-get install postgresql-15` when running as root with apt. Fails saying what to install.
 * @param {{cacheDir: string, log: (msg: string) => void, env?: NodeJS.ProcessEnv}} options
 * @returns {Promise<PostgresBinaries>}
 */
async function ensurePostgres({cacheDir, log, env = process.env}) {
  if (env.POSTGRES_BIN_DIR) {
    const found = binariesIn(env.POSTGRES_BIN_DIR);
    if (!found)
      throw new StackPrerequisiteError(
        `POSTGRES_BIN_DIR=${env.POSTGRES_BIN_DIR} holds no initdb and postgres`
      );
    return found;
  }
  const installed = installedBinaries();
  if (installed) return installed;
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version']).status !== 0) {
    throw new StackPrerequisiteError(
      `No PostgreSQL server found (looked for ${DEBIAN_ROOT}/<major>/bin/{initdb,postgres} and POSTGRES_BIN_DIR), ` +
        `and it cannot be installed here (needs root and apt-get). Install it, e.g. ` +
        `"sudo apt-get install -y postgresql-${PREFERRED_MAJOR}", or set POSTGRES_BIN_DIR.`
    );
  }
  fs.mkdirSync(cacheDir, {recursive: true});
  return withLock(
    path.join(cacheDir, '.lock-postgres-install'),
    async () => {
      const again = installedBinaries();
      if (again) return again;
      await aptInstall(`postgresql-${PREFERRED_MAJOR}`, log);
      const now = installedBinaries();
      if (!now)
        throw new StackError(
          `apt-get installed postgresql-${PREFERRED_MAJOR} but ${DEBIAN_ROOT} has no server`
        );
      return now;
    },
    {log}
  );
}

/** @returns {PostgresBinaries | undefined} */
function installedBinaries() {
  const preferred = binariesIn(path.join(DEBIAN_ROOT, String(PREFERRED_MAJOR), 'bin'));
  if (preferred) return preferred;
  let majors;
  try {
    majors = fs
      .readdirSync(DEBIAN_ROOT)
      .map(Number)
      .filter((n) => Number.isInteger(n))
      .sort((a, b) => b - a);
  } catch {
    return undefined;
  }
  for (const major of majors) {
    const found = binariesIn(path.join(DEBIAN_ROOT, String(major), 'bin'));
    if (found) return found;
  }
  return undefined;
}

/** @param {string} binDir @returns {PostgresBinaries | undefined} */
function binariesIn(binDir) {
  if (!['initdb', 'postgres', 'psql'].every((b) => fs.existsSync(path.join(binDir, b)))) return undefined;
  const version = spawnSync(path.join(binDir, 'postgres'), ['--version'], {encoding: 'utf8'});
  const match = /(\d+)(?:\.\d+)?/.exec(version.stdout ?? '');
  return match ? {binDir, major: Number(match[1])} : undefined;
}

/**
 * apt-get install, after an apt-get update when the package lists do not know the package (fresh images ship none).
 * @param {string} pkg @param {(msg: string) => void} log
 */
async function aptInstall(pkg, log) {
  const env = {...process.env, DEBIAN_FRONTEND: 'noninteractive'};
  const install = () => run('apt-get', ['install', '-y', '--no-install-recommends', pkg], {env});
  log(`installing ${pkg} with apt-get`);
  const started = Date.now();
  try {
    await install();
  } catch (error) {
    log(`apt-get install failed (${firstLine(error)}); running apt-get update and trying again`);
    await run('apt-get', ['update'], {env});
    await install();
  }
  log(`${pkg} installed (${Date.now() - started} ms)`);
}

/**
 * The user the server runs as: as root, `postgres` (Debian's package creates it) or else `nobody`.
 * @returns {RunAs}
 */
function serverUser() {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', name], {encoding: 'utf8'});
    const gid = spawnSync('id', ['-g', name], {encoding: 'utf8'});
    if (uid.status === 0 && gid.status === 0) {
      return {uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name};
    }
  }
  throw new StackPrerequisiteError(
    'Running as root, and neither a "postgres" nor a "nobody" user exists to run PostgreSQL as (it refuses root).'
  );
}

/**
 * A fresh cluster in a new temporary folder owned by `runAs` (a user other than root must be able to reach it,
 * which a checkout under /root is not).
 * @param {{binaries: PostgresBinaries, runAs: RunAs}} options
 * @returns {Promise<{home: string, dataDir: string}>}
 */
async function initCluster({binaries, runAs}) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pinterest-cdc-postgres-'));
  if (runAs) fs.chownSync(home, runAs.uid, runAs.gid);
  const dataDir = path.join(home, 'data');
  try {
    await run(
      path.join(binaries.binDir, 'initdb'),
      ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync'],
      {cwd: home, uid: runAs?.uid, gid: runAs?.gid}
    );
  } catch (error) {
    fs.rmSync(home, {recursive: true, force: true});
    throw error;
  }
  return {home, dataDir};
}

/**
 * The server's command line: TCP on 127.0.0.1:<port> only, durability off (a throwaway cluster), `marker` as a
 * custom setting so the process can be recognised by its command line.
 * @param {{dataDir: string, port: number, marker: string}} options
 */
function serverArgs({dataDir, port, marker}) {
  return [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    marker,
  ];
}

/**
 * Runs one SQL statement with psql and returns its unaligned, tuples-only output. A statement that waits on a lock
 * or runs away fails after 30 s instead of hanging its caller.
 * @param {{binaries: PostgresBinaries, port: number}} server @param {string} sql
 * @returns {Promise<string>}
 */
function psql(server, sql) {
  const env = {...process.env, PGCONNECT_TIMEOUT: '10', PGOPTIONS: '-c statement_timeout=30000'};
  return run(
    path.join(server.binaries.binDir, 'psql'),
    [
      '-X',
      '-q',
      '-A',
      '-t',
      '-v',
      'ON_ERROR_STOP=1',
      '-h',
      '127.0.0.1',
      '-p',
      String(server.port),
      '-U',
      SUPERUSER,
      '-d',
      DATABASE,
      '-c',
      sql,
    ],
    {env}
  );
}

/** @param {number} port */
function jdbcUrl(port) {
  return `jdbc:postgresql://127.0.0.1:${port}/${DATABASE}`;
}

/** @param {unknown} error */
function firstLine(error) {
  return String(error instanceof Error ? error.message : error).split('\n')[0] ?? '';
}

module.exports = {ensurePostgres, serverUser, initCluster, serverArgs, psql, jdbcUrl, SUPERUSER};
