'use strict';
/**
 * A jar holding only ServiceLoader manifests (META-INF/services/<interface>), written without a JDK.
 *
 * Kafka Connect 4.x finds plugins through these manifests in milliseconds (plugin.discovery=service_load); without
 * them it scans every class of every plugin by reflection, which took 11 s of the worker's 16 s start here.
 * Apicurio's converter ships no manifest, so scripts/downstream adds one beside its jars. (Kafka's own tool for
 * this, connect-plugin-path sync-manifests, is in kafka-tools, which the worker does not otherwise need.)
 */
const {Buffer} = require('node:buffer');
const fs = require('node:fs');

/** 1980-01-01 as a DOS date: (year - 1980) << 9 | month << 5 | day. */
const DOS_EPOCH_DATE = (1 << 5) | 1;

/** CRC-32 (IEEE), as the zip format wants it. */
const CRC_TABLE = Array.from({length: 256}, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** @param {Buffer} data */
function crc32(data) {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Writes a zip of stored (uncompressed) entries: a local header and the data per entry, then the central
 * directory and its end record (PKWARE APPNOTE 4.3). Every entry is dated 1980-01-01, the DOS epoch.
 * @param {string} file
 * @param {Array<{name: string, content: string}>} entries
 */
function writeStoredZip(file, entries) {
  /** @type {Buffer[]} */
  const parts = [];
  /** @type {Buffer[]} */
  const central = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = Buffer.from(entry.content, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(10, 4); // version needed: 1.0 (stored)
    local.writeUInt16LE(DOS_EPOCH_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4); // made by: 2.0
    header.writeUInt16LE(10, 6);
    header.writeUInt16LE(DOS_EPOCH_DATE, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(data.length, 20);
    header.writeUInt32LE(data.length, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    parts.push(local, name, data);
    central.push(header, name);
    offset += local.length + name.length + data.length;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  fs.writeFileSync(file, Buffer.concat([...parts, ...central, end]));
}

/**
 * @param {string} file the jar to write
 * @param {Record<string, string[]>} services interface -> implementations
 */
function writeServiceManifestJar(file, services) {
  writeStoredZip(
    file,
    Object.entries(services).map(([api, impls]) => ({
      name: `META-INF/services/${api}`,
      content: `${impls.join('\n')}\n`,
    }))
  );
}

module.exports = {writeServiceManifestJar, crc32};
