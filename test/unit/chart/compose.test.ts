/**
 * docker-compose.yml, its Prometheus/Grafana files and the Dockerfile, checked without a Docker engine: parsed
 * and cross-checked against each other and the app's settings.
 */
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';

import {parse as parseYaml} from 'yaml';

import {loadConfig} from '../../../src/config';
import {ROOT} from './helm';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const compose = parseYaml(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as Json;
const services = compose.services as Record<string, Json>;
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

describe('docker-compose.yml', () => {
  it('has Kafka (KRaft 4.1), Apicurio 3.3, the sandbox, pinterest-cdc, and Prometheus + Grafana behind a profile', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['apicurio', 'grafana', 'kafka', 'pinterest-cdc', 'prometheus', 'sandbox'].sort()
    );
    expect(services.kafka?.image).toMatch(/^apache\/kafka:4\.1\.\d+$/);
    expect(services.kafka?.environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(services.kafka?.environment.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe(1);
    expect(services.kafka?.environment.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR).toBe(1);
    expect(services.kafka?.environment.CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(services.apicurio?.image).toMatch(/^apicurio\/apicurio-registry:3\.3\.\d+$/);
    expect(services.apicurio?.environment.APICURIO_RULES_GLOBAL_COMPATIBILITY).toBe('BACKWARD');
    for (const name of ['prometheus', 'grafana']) expect(services[name]?.profiles).toEqual(['observability']);
    for (const name of ['kafka', 'apicurio', 'sandbox', 'pinterest-cdc']) {
      expect(services[name]?.profiles).toBeUndefined();
    }
  });

  it('builds the sandbox and pinterest-cdc from the Dockerfile with the right commands', () => {
    expect(services.sandbox?.build).toBe('.');
    expect(services['pinterest-cdc']?.build).toBe('.');
    expect(services.sandbox?.image).toBe(services['pinterest-cdc']?.image);
    expect(services.sandbox?.command).toEqual(['sandbox', '--port', '8080', '--host', '0.0.0.0']);
    expect(services['pinterest-cdc']?.command).toEqual(['run']);
    expect(services['pinterest-cdc']?.read_only).toBe(true);
  });

  it('gives every service a healthcheck and starts pinterest-cdc only after healthy dependencies', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({name, test: Array.isArray(service.healthcheck?.test)}).toEqual({name, test: true});
    }
    expect(services['pinterest-cdc']?.depends_on).toEqual({
      kafka: {condition: 'service_healthy'},
      apicurio: {condition: 'service_healthy'},
      sandbox: {condition: 'service_healthy'},
    });
    expect(services.prometheus?.depends_on).toEqual({'pinterest-cdc': {condition: 'service_healthy'}});
    expect(services.grafana?.depends_on).toEqual({prometheus: {condition: 'service_healthy'}});
    expect(services['pinterest-cdc']?.healthcheck.test.join(' ')).toContain('http://127.0.0.1:9464/readyz');
  });

  it('gives pinterest-cdc an environment the app accepts, pointing at the other services', () => {
    const service = services['pinterest-cdc'] as Json;
    // Scalable (`--scale pinterest-cdc=3`): no fixed host port, no shared network namespace, no container name.
    expect(service.network_mode).toBeUndefined();
    expect(service.container_name).toBeUndefined();
    expect(service.ports).toEqual(['9464']);
    const env = Object.fromEntries(Object.entries(service.environment).map(([k, v]) => [k, String(v)]));
    const config = loadConfig({env});
    expect(config.kafka.brokers).toEqual(['kafka:9092']);
    expect(config.schemaRegistry.url).toBe('http://apicurio:8080/apis/ccompat/v7');
    expect(config.pinterest.apiBaseUrl).toBe('http://sandbox:8080/v5');
    expect(config.observability.metricsHost).toBe('0.0.0.0');
    expect(service.ports).toEqual([String(config.observability.metricsPort)]);
    // stop_grace_period above the shutdown deadline.
    expect(parseInt(String(service.stop_grace_period), 10)).toBeGreaterThan(
      config.sync.shutdownTimeoutSeconds
    );
  });

  it('has Prometheus scrape pinterest-cdc and Grafana load the chart dashboard', () => {
    const prometheus = parseYaml(
      readFileSync(join(ROOT, 'deploy/compose/prometheus/prometheus.yml'), 'utf8')
    ) as Json;
    const job = (prometheus.scrape_configs as Json[]).find((j) => j.job_name === 'pinterest-cdc') as Json;
    expect(job.metrics_path).toBe('/metrics');
    // Every replica: the service's DNS name resolves to each of its containers.
    expect(job.dns_sd_configs[0]).toEqual({names: ['pinterest-cdc'], type: 'A', port: 9464});
    const volumes = services.grafana?.volumes as string[];
    for (const v of volumes) expect(existsSync(join(ROOT, v.split(':')[0] as string))).toBe(true);
    expect(volumes.some((v) => v.startsWith('./helm/pinterest-cdc/files/dashboards:'))).toBe(true);
    const provider = parseYaml(
      readFileSync(join(ROOT, 'deploy/compose/grafana/provisioning/dashboards/pinterest-cdc.yml'), 'utf8')
    ) as Json;
    const mounted = volumes.find((v) => v.startsWith('./helm/'))?.split(':')[1];
    expect(provider.providers[0].options.path).toBe(mounted);
    const datasources = parseYaml(
      readFileSync(join(ROOT, 'deploy/compose/grafana/provisioning/datasources/prometheus.yml'), 'utf8')
    ) as Json;
    expect(datasources.datasources[0]).toMatchObject({type: 'prometheus', url: 'http://prometheus:9090'});
  });
});

describe('Dockerfile', () => {
  it('builds in stages and runs node dist/cli/main.js as 65532 with only prod deps, dist/ and avro/', () => {
    const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gm)].map((m) => m[1]);
    expect(stages).toEqual(['build', 'deps', 'runtime']);
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(runtime).toMatch(/^USER 65532:65532$/m);
    expect(runtime).toContain('ENTRYPOINT ["node", "dist/cli/main.js"]');
    expect(runtime).toContain('CMD ["run"]');
    expect(runtime).toMatch(/METRICS_HOST=0\.0\.0\.0/);
    expect(runtime).toContain('COPY --from=build /src/dist ./dist');
    expect(runtime).toContain('COPY avro ./avro');
    expect(runtime).not.toMatch(/COPY (src|test)\b/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });

  it('sends the build what it needs (.dockerignore keeps src, avro, package files)', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const needed of [
      'src',
      'avro',
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
    ]) {
      expect(ignored).not.toContain(needed);
    }
    for (const excluded of ['**/node_modules', 'dist', '.tools', 'test']) expect(ignored).toContain(excluded);
  });
});
