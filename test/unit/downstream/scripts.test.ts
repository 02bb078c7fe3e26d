/**
 * scripts/downstream's pure parts: the ServiceLoader manifest jar (read back as a zip), the worker's files
 * (the example as it is, overrides last), the REST status check and the registry v2 address. No process started.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

/* eslint-disable @typescript-eslint/no-require-imports */
const {writeServiceManifestJar, crc32} = require('../../../scripts/downstream/manifest-jar') as {
  writeServiceManifestJar: (file: string, services: Record<string, string[]>) => void;
  crc32: (data: Buffer) => number;
};
const {writeWorkerFiles, isRunning, registryV2Url} = require('../../../scripts/downstream/connect') as {
  writeWorkerFiles: (o: {
    dir: string;
    rootDir: string;
    pluginPath: string;
    restPort: number;
    connectorOverrides: Record<string, string>;
  }) => {worker: string; connector: string; log4j2: string};
  isRunning: (status: unknown, name: string) => boolean;
  registryV2Url: (url: string) => string;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** The entries of a zip of stored entries, read through its central directory. */
function readStoredZip(zip: Buffer): Map<string, string> {
  const end = zip.length - 22;
  expect(zip.readUInt32LE(end)).toBe(0x06054b50);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const crc = zip.readUInt32LE(at + 16);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    expect(zip.readUInt32LE(local)).toBe(0x04034b50);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + size);
    expect(crc32(data)).toBe(crc);
    entries.set(name, data.toString('utf8'));
    at += 46 + nameLength;
  }
  return entries;
}

describe('the ServiceLoader manifest jar', () => {
  it('holds one META-INF/services file per interface, with CRC-32s a zip reader accepts', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-jar-')), 'm.jar');
    writeServiceManifestJar(file, {
      'org.apache.kafka.connect.storage.Converter': ['a.B', 'c.D'],
      'org.apache.kafka.connect.storage.HeaderConverter': ['e.F'],
    });
    expect(readStoredZip(fs.readFileSync(file))).toEqual(
      new Map([
        ['META-INF/services/org.apache.kafka.connect.storage.Converter', 'a.B\nc.D\n'],
        ['META-INF/services/org.apache.kafka.connect.storage.HeaderConverter', 'e.F\n'],
      ])
    );
  });

  it('computes the IEEE CRC-32 (zlib agrees)', () => {
    const data = Buffer.from('The quick brown fox jumps over the lazy dog');
    expect(crc32(data)).toBe(0x414fa339);
    const zlibCrc = (zlib as unknown as {crc32?: (d: Buffer) => number}).crc32;
    if (zlibCrc) expect(crc32(data)).toBe(zlibCrc(data));
  });
});

describe('the worker files', () => {
  it('are the examples as they are, with the overrides appended (a later key wins in a properties file)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-files-'));
    const files = writeWorkerFiles({
      dir,
      rootDir: ROOT,
      pluginPath: '/p',
      restPort: 1234,
      connectorOverrides: {name: 'n', 'topics.regex': 'x\\.(a|b)'},
    });
    const worker = fs.readFileSync(files.worker, 'utf8');
    const example = fs.readFileSync(path.join(ROOT, 'examples', 'jdbc-sink', 'worker.properties'), 'utf8');
    expect(worker.startsWith(example.trimEnd())).toBe(true);
    expect(worker).toMatch(/\nplugin\.path=\/p\n/);
    expect(worker).toMatch(/\nlisteners=http:\/\/127\.0\.0\.1:1234\n/);
    expect(worker).toMatch(/\nplugin\.discovery=service_load\n/);
    const connector = fs.readFileSync(files.connector, 'utf8');
    // The regex's backslash is doubled: Properties.load reads "\\." as "\.".
    expect(connector.trimEnd().split('\n').slice(-2)).toEqual(['name=n', 'topics.regex=x\\\\.(a|b)']);
    expect(fs.readFileSync(files.log4j2, 'utf8')).toMatch(/logger\.l1\.name = io\.debezium\.connector\.jdbc/);
  });
});

describe('isRunning', () => {
  const status = (connector: string, ...tasks: string[]) => ({
    connector: {state: connector},
    tasks: tasks.map((state, id) => ({id, state, trace: `trace of ${id}`})),
  });

  it('is true once the connector and every task run, and at least one task exists', () => {
    expect(isRunning(undefined, 'c')).toBe(false);
    expect(isRunning(status('RUNNING'), 'c')).toBe(false);
    expect(isRunning(status('RUNNING', 'RUNNING', 'UNASSIGNED'), 'c')).toBe(false);
    expect(isRunning(status('RUNNING', 'RUNNING'), 'c')).toBe(true);
  });

  it('throws with the trace when a task FAILED', () => {
    expect(() => isRunning(status('RUNNING', 'RUNNING', 'FAILED'), 'c')).toThrow(/c FAILED:\ntrace of 1/);
  });
});

describe('registryV2Url', () => {
  it("is the ccompat base's registry v2 API", () => {
    expect(registryV2Url('http://h:1/apis/ccompat/v7')).toBe('http://h:1/apis/registry/v2');
    expect(registryV2Url('http://h:1/x/apis/ccompat/v6/')).toBe('http://h:1/x/apis/registry/v2');
  });

  it('refuses a registry that is not Apicurio', () => {
    expect(() => registryV2Url('http://localhost:8081')).toThrow(/not an Apicurio ccompat base/);
  });
});
