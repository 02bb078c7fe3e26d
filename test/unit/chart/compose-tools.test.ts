/**
 * docker-compose.yml and the Dockerfile checked by the real tools, offline (no Docker engine needed):
 * - Docker Compose 5.5.1 (`docker-compose config`): the compose-spec schema, interpolation (an unescaped `$` is a
 *   warning, which fails here), references between services (depends_on, network_mode: service:x), profiles;
 *   then the normalized model it prints is checked: image tags equal the local stack's versions, and every
 *   healthcheck runs a program its image contains (the table below says why each is there).
 * - hadolint 2.15.1 on the Dockerfile: every rule at every severity (style included) must pass; an exception
 *   would be an inline `# hadolint ignore=DLxxxx` with its reason beside it.
 * The tools come from scripts/install-tool.js (pinned, checksummed) and fail the test when they cannot be had.
 */
import {spawn, spawnSync} from 'node:child_process';
import {copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {tool} from '../../tools';
import {ROOT} from './helm';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// eslint-disable-next-line @typescript-eslint/no-require-imports
const stack = require(join(ROOT, 'scripts', 'stack')) as {
  KAFKA_VERSION: string;
  REGISTRY_VERSIONS: {preferred: string};
};

/** `docker-compose <args>` on `file` (default the repository's), in a clean environment: no engine is asked. */
function compose(args: string[], file = join(ROOT, 'docker-compose.yml')) {
  const result = spawnSync(tool('docker-compose'), ['-f', file, '--project-directory', ROOT, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? ''},
  });
  return {status: result.status, stdout: result.stdout, stderr: result.stderr};
}

/** The normalized model (every profile active). */
function model(): Json {
  const result = compose(['--profile', 'observability', 'config', '--format', 'json']);
  expect({status: result.status, stderr: result.stderr}).toEqual({status: 0, stderr: ''});
  return JSON.parse(result.stdout) as Json;
}

/**
 * What each image surely runs, from its Dockerfile:
 * - apache/kafka (apache/kafka docker/jvm/Dockerfile): eclipse-temurin JRE on Alpine, the distribution in
 *   /opt/kafka; wget is deleted after the build, so only Kafka's own scripts and busybox sh.
 * - apicurio/apicurio-registry 3.3.x (Apicurio distro/docker Dockerfile.jvm): ubi10/openjdk-21-runtime, which
 *   installs a headless JRE, tar and tzdata on ubi-minimal (rh-openjdk/redhat-openjdk-containers, branch ubi10);
 *   its entrypoint run-java.sh is bash, so bash is there; curl is not promised.
 * - pinterest-cdc:local (our Dockerfile): node:20-bookworm-slim, node (with fetch).
 * - prom/prometheus (prometheus/prometheus Dockerfile): quay.io/prometheus/busybox, so busybox wget.
 * - grafana/grafana (grafana/grafana Dockerfile): Alpine, so busybox wget.
 */
const HEALTHCHECK_PROGRAMS: Record<string, RegExp> = {
  kafka: /^\/opt\/kafka\/bin\/[\w-]+\.sh$/,
  apicurio: /^bash$/,
  sandbox: /^node$/,
  'pinterest-cdc': /^node$/,
  prometheus: /^wget$/,
  grafana: /^wget$/,
};

describe('docker-compose.yml, checked by Docker Compose (config, offline)', () => {
  jest.setTimeout(120_000);

  it('is valid, with and without the observability profile, and prints no warning', () => {
    for (const args of [
      ['config', '--quiet'],
      ['--profile', 'observability', 'config', '--quiet'],
    ]) {
      const result = compose(args);
      expect({args, status: result.status, stderr: result.stderr}).toEqual({args, status: 0, stderr: ''});
    }
  });

  it('refuses a broken file: a negative control for the check above', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdc-compose-'));
    try {
      const broken = join(dir, 'docker-compose.yml');
      const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
      writeFileSync(
        broken,
        text.replace(
          'sandbox:\n        condition: service_healthy',
          'sandbx:\n        condition: service_healthy'
        )
      );
      const unknownService = compose(['config', '--quiet'], broken);
      expect(unknownService.status).not.toBe(0);
      expect(unknownService.stderr).toMatch(/sandbx/);
      writeFileSync(broken, text.replace('stop_grace_period: 30s', 'stop_grace_period: soon'));
      expect(compose(['config', '--quiet'], broken).status).not.toBe(0);
      writeFileSync(broken, text.replace('$$status', '$status'));
      expect(compose(['config', '--quiet'], broken).stderr).toMatch(/status\\?" variable is not set/);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it("pins the local stack's versions: Kafka and Apicurio as scripts/stack runs them", () => {
    const services = model().services as Record<string, Json>;
    expect(services.kafka?.image).toBe(`apache/kafka:${stack.KAFKA_VERSION}`);
    expect(services.apicurio?.image).toBe(`apicurio/apicurio-registry:${stack.REGISTRY_VERSIONS.preferred}`);
    for (const [name, service] of Object.entries(services)) {
      // A tag on every image: no floating latest.
      expect({name, image: service.image}).toEqual({
        name,
        image: expect.stringMatching(/^[\w./-]+:[\w.-]+$/),
      });
    }
  });

  it('gives every service a healthcheck that runs a program its image contains', () => {
    const services = model().services as Record<string, Json>;
    expect(Object.keys(services).sort()).toEqual(Object.keys(HEALTHCHECK_PROGRAMS).sort());
    for (const [name, service] of Object.entries(services)) {
      const [form, ...rest] = service.healthcheck.test as string[];
      const program = (form === 'CMD-SHELL' ? (rest[0] ?? '').split(/\s+/)[0] : rest[0]) ?? '';
      expect({name, form, program}).toEqual({
        name,
        form: expect.stringMatching(/^CMD(-SHELL)?$/),
        program: expect.stringMatching(HEALTHCHECK_PROGRAMS[name] as RegExp),
      });
    }
  });

  it("apicurio's bash-only healthcheck passes on 200 and fails otherwise (run by this machine's bash)", async () => {
    const test = (model().services.apicurio.healthcheck.test as string[]).slice(1);
    expect(test.slice(0, 2)).toEqual(['bash', '-c']);
    // Compose hands `$$` to the container as `$`; the port is the registry's 8080 inside its container.
    const script = (test[2] as string).replaceAll('$$', '$');
    let status = 200;
    const server: Server = createServer((req, res) => {
      res.writeHead(req.url === '/apis/ccompat/v7/subjects' ? status : 404).end('[]');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const run = () =>
      new Promise<number | null>((resolve) => {
        const child = spawn('bash', [
          '-c',
          script.replace('/dev/tcp/127.0.0.1/8080', `/dev/tcp/127.0.0.1/${port}`),
        ]);
        child.on('close', resolve);
      });
    try {
      expect(await run()).toBe(0);
      status = 503;
      expect(await run()).not.toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('Dockerfile, checked by hadolint', () => {
  it('passes every rule, style included', () => {
    const result = spawnSync(tool('hadolint'), ['--failure-threshold', 'style', '--no-color', 'Dockerfile'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect({status: result.status, findings: result.stdout + result.stderr}).toEqual({
      status: 0,
      findings: '',
    });
  });

  it('reports what it should: a negative control on a copy with known faults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdc-hadolint-'));
    try {
      const file = join(dir, 'Dockerfile');
      copyFileSync(join(ROOT, 'Dockerfile'), file);
      writeFileSync(
        file,
        `${readFileSync(file, 'utf8')}\nRUN apt-get update && apt-get install -y curl\nUSER root\nADD avro /avro\n`
      );
      const result = spawnSync(tool('hadolint'), ['--no-color', file], {encoding: 'utf8'});
      expect(result.status).not.toBe(0);
      for (const rule of ['DL3008', 'DL3009', 'DL3015', 'DL3002', 'DL3020'])
        expect(result.stdout).toContain(rule);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});
