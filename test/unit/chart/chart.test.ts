import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';

import {parse as parseYaml, parseDocument, isMap, isScalar, isSeq, type YAMLMap} from 'yaml';

import {configLeaves, loadConfig} from '../../../src/config';
import {connectionsOf} from '../../../src/config/connections';
import {knownSeries, metricNamesInExpr} from '../dashboard/promql-metrics';
import {
  CHART,
  ciValuesFiles,
  find,
  get,
  render,
  renderError,
  runHelm,
  validateManifests,
  type K8sObject,
} from './helm';

jest.setTimeout(60_000);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const chartYaml = parseYaml(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as Json;
const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as Json;
const SELECTOR_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance'];

function podSpec(objects: K8sObject[]): Json {
  return (get(objects, 'Deployment') as Json).spec.template.spec;
}
function container(objects: K8sObject[]): Json {
  return podSpec(objects).containers[0];
}
function envOf(objects: K8sObject[]): Json[] {
  return container(objects).env as Json[];
}
/** Feeds the rendered ConfigMap and the Deployment's env (secrets resolved from the rendered Secret) to the app. */
function loadAppConfig(objects: K8sObject[]) {
  const configMap = find(objects, 'ConfigMap', 'cdc-pinterest-cdc') as Json;
  const secret = find(objects, 'Secret') as Json | undefined;
  const env: Record<string, string> = {};
  for (const e of envOf(objects)) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    const ref = e.valueFrom?.secretKeyRef;
    if (ref) {
      const data = secret && secret.metadata.name === ref.name ? secret.data?.[ref.key] : undefined;
      // A Secret the chart does not render: a stand-in value of the right form (token keys: 64 hex digits).
      const standIn = e.name.startsWith('PINTEREST_CDC_TOKEN_')
        ? createHash('sha256').update(`${ref.name}/${ref.key}`).digest('hex')
        : `secret-${ref.name}-${ref.key}`;
      env[e.name] = data === undefined ? standIn : Buffer.from(data, 'base64').toString();
    }
  }
  const files: Record<string, string> = {[env.PINTEREST_CDC_CONFIG as string]: configMap.data['config.yaml']};
  // Files of mounted Secrets (a connection's credentials): a stand-in value naming the Secret and the key.
  const volumes = new Map((podSpec(objects).volumes as Json[]).map((v) => [v.name, v]));
  for (const mount of (container(objects).volumeMounts ?? []) as Json[]) {
    const secretName = volumes.get(mount.name)?.secret?.secretName;
    if (secretName === undefined) continue;
    for (const key of ['client-id', 'client-secret', 'refresh-token', 'app-id'])
      files[`${mount.mountPath}/${key}`] = `secret-${secretName}-${key}`;
  }
  return loadConfig({
    env,
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error('not found'), {code: 'ENOENT'});
      return text;
    },
  });
}

describe('Chart.yaml', () => {
  it('is a v2 application chart 0.1.0 with appVersion 0.1.0', () => {
    expect(chartYaml).toMatchObject({apiVersion: 'v2', name: 'pinterest-cdc', type: 'application'});
    expect(chartYaml.version).toBe('0.1.0');
    expect(chartYaml.appVersion).toBe('0.1.0');
  });
});

describe('the manifest validator (kubernetes-models)', () => {
  it('rejects what a cluster would: a negative control for the checks below', () => {
    const broken: K8sObject[] = [
      {apiVersion: 'apps/v1', kind: 'Deployment', metadata: {name: 'd'}, spec: {replicas: 'one'}},
      {apiVersion: 'v1', kind: 'Service', metadata: {name: 's'}, spec: {ports: [{port: 'http'}]}},
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: {name: 'r'},
        spec: {groups: [{name: 'g', rules: [{alert: 'A'}]}]},
      },
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: {name: 'm'},
        spec: {selector: {}, endpoints: [{port: 8080}]},
      },
    ];
    expect(validateManifests(broken).map((p) => `${p.kind}: ${p.error}`)).toEqual([
      'Deployment: data/spec must have required property selector, data/spec must have required property ' +
        'template, data/spec/replicas must be integer',
      'Service: data/spec/ports/0/port must be integer',
      'PrometheusRule: data/spec/groups/0/rules/0 must have required property expr',
      'ServiceMonitor: data/spec/endpoints/0/port must be string',
    ]);
  });
});

describe.each(ciValuesFiles())('ci/%s', (file) => {
  it('passes helm lint --strict (values.schema.json applied)', () => {
    const result = runHelm(['lint', '--strict', CHART, '-f', join(CHART, 'ci', file)]);
    expect({status: result.status, out: result.stdout + result.stderr}).toMatchObject({status: 0});
    expect(result.stdout).toContain('0 chart(s) failed');
  });

  it('renders objects that kubernetes-models validates, all labelled', () => {
    const objects = render({valuesFiles: [file]});
    expect(objects.length).toBeGreaterThanOrEqual(4);
    expect(validateManifests(objects)).toEqual([]);
    for (const o of objects) {
      expect(o.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'pinterest-cdc',
        'app.kubernetes.io/instance': 'cdc',
        'app.kubernetes.io/managed-by': 'Helm',
        'helm.sh/chart': 'pinterest-cdc-0.1.0',
      });
    }
  });

  it('renders a config file and env the app itself accepts', () => {
    const objects = render({valuesFiles: [file]});
    const config = loadAppConfig(objects);
    expect(config.observability.metricsHost).toBe('0.0.0.0');
    expect(config.observability.metricsPort).toBe(container(objects).ports[0].containerPort);
    expect(podSpec(objects).terminationGracePeriodSeconds).toBeGreaterThan(
      config.sync.shutdownTimeoutSeconds
    );
  });
});

describe('default render (ci/default-values.yaml)', () => {
  const objects = render({valuesFiles: ['default-values.yaml']});

  it('renders exactly the expected objects', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/cdc-pinterest-cdc',
      'Deployment/cdc-pinterest-cdc',
      'Pod/cdc-pinterest-cdc-test-readyz',
      'Secret/cdc-pinterest-cdc-credentials',
      'Service/cdc-pinterest-cdc',
      'ServiceAccount/cdc-pinterest-cdc',
    ]);
  });

  it('runs a single writer: 1 replica, Recreate', () => {
    const spec = (get(objects, 'Deployment') as Json).spec;
    expect(spec.replicas).toBe(1);
    expect(spec.strategy).toEqual({type: 'Recreate'});
    expect(Object.keys(spec.selector.matchLabels).sort()).toEqual([...SELECTOR_LABELS].sort());
  });

  it('probes /healthz (liveness, startup) and /readyz (readiness) on the named port http', () => {
    const c = container(objects);
    expect(c.ports).toEqual([{name: 'http', containerPort: 9464, protocol: 'TCP'}]);
    expect(c.livenessProbe.httpGet).toEqual({path: '/healthz', port: 'http'});
    expect(c.startupProbe.httpGet).toEqual({path: '/healthz', port: 'http'});
    expect(c.readinessProbe.httpGet).toEqual({path: '/readyz', port: 'http'});
  });

  it('is hardened: non-root 65532, read-only root, no capabilities, RuntimeDefault seccomp, no token', () => {
    const pod = podSpec(objects);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: {type: 'RuntimeDefault'},
    });
    expect(container(objects).securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: {drop: ['ALL']},
      seccompProfile: {type: 'RuntimeDefault'},
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect((get(objects, 'ServiceAccount') as Json).automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
  });

  it('mounts an emptyDir at /tmp and the config read-only, named by PINTEREST_CDC_CONFIG', () => {
    const pod = podSpec(objects);
    const mounts = container(objects).volumeMounts as Json[];
    const tmp = mounts.find((m) => m.mountPath === '/tmp');
    expect(pod.volumes.find((v: Json) => v.name === tmp?.name)).toEqual({
      name: 'tmp',
      emptyDir: {medium: 'Memory', sizeLimit: '64Mi'},
    });
    const config = mounts.find((m) => m.name === 'config');
    expect(config).toMatchObject({mountPath: '/etc/pinterest-cdc', readOnly: true});
    expect(pod.volumes.find((v: Json) => v.name === 'config').configMap.name).toBe('cdc-pinterest-cdc');
    expect(envOf(objects).find((e) => e.name === 'PINTEREST_CDC_CONFIG')?.value).toBe(
      '/etc/pinterest-cdc/config.yaml'
    );
    expect(envOf(objects).find((e) => e.name === 'METRICS_HOST')?.value).toBe('0.0.0.0');
  });

  it('gives terminationGracePeriodSeconds above the shutdown deadline', () => {
    expect(podSpec(objects).terminationGracePeriodSeconds).toBe(30);
    expect(loadAppConfig(objects).sync.shutdownTimeoutSeconds).toBe(20);
  });

  it('takes the credentials from the chart Secret via secretKeyRef, never from the ConfigMap', () => {
    const secret = get(objects, 'Secret') as Json;
    expect(Object.keys(secret.data).sort()).toEqual(['client-id', 'client-secret', 'refresh-token']);
    for (const name of ['PINTEREST_CLIENT_ID', 'PINTEREST_CLIENT_SECRET', 'PINTEREST_REFRESH_TOKEN']) {
      const ref = envOf(objects).find((e) => e.name === name)?.valueFrom?.secretKeyRef;
      expect(ref?.name).toBe(secret.metadata.name);
      expect(Object.keys(secret.data)).toContain(ref?.key);
    }
    // No token key by default: the service then warns that tokens are stored in clear.
    expect(envOf(objects).map((e) => e.name)).not.toContain('PINTEREST_CDC_TOKEN_KEY');
    const configText = (find(objects, 'ConfigMap') as Json).data['config.yaml'] as string;
    expect(configText).not.toContain('ci-client-secret');
    expect(configText).not.toContain('pinr.');
  });

  it('rolls the pod on config and secret changes (checksum annotations)', () => {
    const annotations = (get(objects, 'Deployment') as Json).spec.template.metadata.annotations;
    expect(annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(annotations['checksum/secret']).toMatch(/^[0-9a-f]{64}$/);
    const changed = render({valuesFiles: ['default-values.yaml'], set: ['config.sync.intervalSeconds=60']});
    const after = (get(changed, 'Deployment') as Json).spec.template.metadata.annotations;
    expect(after['checksum/config']).not.toBe(annotations['checksum/config']);
    expect(after['checksum/secret']).toBe(annotations['checksum/secret']);
  });

  it('uses the appVersion as image tag, or a digest', () => {
    expect(container(objects).image).toBe('pinterest-cdc:0.1.0');
    expect(container(objects).args).toEqual(['run']);
    const digest = `sha256:${'a'.repeat(64)}`;
    const pinned = render({valuesFiles: ['default-values.yaml'], set: [`image.digest=${digest}`]});
    expect(container(pinned).image).toBe(`pinterest-cdc@${digest}`);
  });

  it('has a helm test Pod that checks /readyz through the Service', () => {
    const pod = get(objects, 'Pod') as Json;
    expect(pod.metadata.annotations['helm.sh/hook']).toBe('test');
    expect(pod.spec.containers[0].command.join(' ')).toContain('http://cdc-pinterest-cdc:9464/readyz');
    const off = render({valuesFiles: ['default-values.yaml'], set: ['testFramework.enabled=false']});
    expect(find(off, 'Pod')).toBeUndefined();
  });

  it('renders no ServiceMonitor, PrometheusRule, PDB, NetworkPolicy or dashboard by default', () => {
    for (const kind of ['ServiceMonitor', 'PrometheusRule', 'PodDisruptionBudget', 'NetworkPolicy']) {
      expect(find(objects, kind)).toBeUndefined();
    }
    expect(objects.filter((o) => o.kind === 'ConfigMap')).toHaveLength(1);
  });
});

describe('heap cap (heapPercentOfMemoryLimit of resources.limits.memory)', () => {
  const nodeOptions = (options: {set?: string[]; setJson?: string[]}) =>
    envOf(render({valuesFiles: ['default-values.yaml'], ...options}))
      .filter((e) => e.name === 'NODE_OPTIONS')
      .map((e) => e.value as string);

  it('passes 75% of the 512Mi default limit as --max-old-space-size', () => {
    expect(nodeOptions({})).toEqual(['--max-old-space-size=384']);
  });

  it('reads binary and decimal quantities and plain bytes', () => {
    expect(nodeOptions({set: ['resources.limits.memory=2Gi', 'heapPercentOfMemoryLimit=50']})).toEqual([
      '--max-old-space-size=1024',
    ]);
    expect(nodeOptions({set: ['resources.limits.memory=1G']})).toEqual(['--max-old-space-size=715']);
    expect(nodeOptions({set: ['resources.limits.memory=536870912']})).toEqual(['--max-old-space-size=384']);
  });

  it("leaves Node's default with 0, and the user's own NODE_OPTIONS alone", () => {
    expect(nodeOptions({set: ['heapPercentOfMemoryLimit=0']})).toEqual([]);
    expect(
      nodeOptions({setJson: ['extraEnv=[{"name":"NODE_OPTIONS","value":"--max-old-space-size=999"}]']})
    ).toEqual(['--max-old-space-size=999']);
  });

  it('fails clearly on a quantity it cannot read', () => {
    expect(
      renderError({valuesFiles: ['default-values.yaml'], set: ['resources.limits.memory=1.5Ti']})
    ).toMatch(/resources.limits.memory "1.5Ti": cannot derive the heap cap/);
  });
});

describe('existing Secret (ci/existing-secret-values.yaml)', () => {
  const objects = render({valuesFiles: ['existing-secret-values.yaml']});

  it('renders no Secret and reads the named keys of the existing one', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const refs = Object.fromEntries(
      envOf(objects)
        .filter((e) => e.valueFrom?.secretKeyRef)
        .map((e) => [e.name, e.valueFrom.secretKeyRef])
    );
    expect(refs).toEqual({
      PINTEREST_CLIENT_ID: {name: 'pinterest-oauth', key: 'app-id'},
      PINTEREST_CLIENT_SECRET: {name: 'pinterest-oauth', key: 'app-secret'},
      PINTEREST_REFRESH_TOKEN: {name: 'pinterest-oauth', key: 'refresh'},
      PINTEREST_CDC_TOKEN_KEY: {name: 'pinterest-token-key', key: 'token-key'},
      PINTEREST_CDC_TOKEN_PREVIOUS_KEYS: {name: 'pinterest-token-key', key: 'previous'},
      KAFKA_SASL_PASSWORD: {name: 'kafka-user-pinterest-cdc', key: 'password'},
    });
    const annotations = (get(objects, 'Deployment') as Json).spec.template.metadata.annotations;
    expect(annotations['checksum/secret']).toBeUndefined();
  });

  it('passes the app config through (SASL, topic prefix, ad accounts as strings)', () => {
    const config = loadAppConfig(objects);
    expect(config.kafka.sasl.mechanism).toBe('scram-sha-512');
    expect(config.kafka.topicPrefix).toBe('ads.pinterest');
    expect(config.sync.adAccountIds).toEqual(['549755885175']);
  });
});

describe('ServiceMonitor and PrometheusRule (ci/servicemonitor-values.yaml)', () => {
  const objects = render({valuesFiles: ['servicemonitor-values.yaml']});
  const service = get(objects, 'Service') as Json;
  const monitor = get(objects, 'ServiceMonitor') as Json;

  it('selects the Service by its labels and scrapes the named port at /metrics', () => {
    const selector = monitor.spec.selector.matchLabels as Record<string, string>;
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(selector)) expect(service.metadata.labels[k]).toBe(v);
    expect(service.spec.selector).toEqual(selector);
    expect(monitor.spec.namespaceSelector).toEqual({matchNames: ['data']});
    expect(monitor.spec.endpoints).toHaveLength(1);
    const endpoint = monitor.spec.endpoints[0];
    expect(endpoint).toMatchObject({port: 'http', path: '/metrics', interval: '15s'});
    expect(service.spec.ports.map((p: Json) => p.name)).toContain(endpoint.port);
    expect(monitor.metadata.labels.release).toBe('kps');
  });

  it('alerts on stale cycles, produce errors, rate limits and dead letters, with known metrics only', async () => {
    const rule = get(objects, 'PrometheusRule') as Json;
    const rules = rule.spec.groups[0].rules as Json[];
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'PinterestCdcCycleStale',
        'PinterestCdcKafkaProduceErrors',
        'PinterestCdcRateLimited',
        'PinterestCdcDeadLetters',
        'PinterestCdcReauthorizationRequired',
        'PinterestCdcClientRejected',
      ])
    );
    const known = await knownSeries();
    for (const r of rules) {
      expect(r.expr).toContain('job="cdc-pinterest-cdc", namespace="data"');
      expect({alert: r.alert, unknown: metricNamesInExpr(r.expr).filter((n) => !known.has(n))}).toEqual({
        alert: r.alert,
        unknown: [],
      });
      expect(r.labels.team).toBe('data-platform');
    }
    // 3 intervals of 900 s.
    expect(rules.find((r) => r.alert === 'PinterestCdcCycleStale')?.expr).toMatch(/> 2700$/);
  });
});

describe('dashboards (ci/dashboards-values.yaml)', () => {
  it('ships files/dashboards/pinterest-cdc.json in a ConfigMap labelled for the Grafana sidecar', () => {
    const objects = render({valuesFiles: ['dashboards-values.yaml']});
    const cm = find(objects, 'ConfigMap', 'cdc-pinterest-cdc-dashboards') as Json;
    expect(cm).toBeDefined();
    expect(cm.metadata.namespace).toBe('monitoring');
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    expect(cm.metadata.annotations.grafana_folder).toBe('Data Platform');
    const file = readFileSync(join(CHART, 'files', 'dashboards', 'pinterest-cdc.json'), 'utf8');
    expect(JSON.parse(cm.data['pinterest-cdc.json'])).toEqual(JSON.parse(file));
  });
});

describe('hardened (ci/hardened-values.yaml)', () => {
  const objects = render({valuesFiles: ['hardened-values.yaml']});

  it('uses the given ServiceAccount, digest and priority class, and no Secret', () => {
    expect(find(objects, 'ServiceAccount')).toBeUndefined();
    expect(find(objects, 'Secret')).toBeUndefined();
    const pod = podSpec(objects);
    expect(pod.serviceAccountName).toBe('pinterest-cdc-runner');
    expect(pod.priorityClassName).toBe('data-pipelines');
    expect(pod.terminationGracePeriodSeconds).toBe(60);
    expect(container(objects).image).toMatch(/^registry\.example\.internal\/pinterest-cdc@sha256:/);
  });

  it('renders a maxUnavailable PDB and a NetworkPolicy limiting ingress to the http port', () => {
    const pdb = get(objects, 'PodDisruptionBudget') as Json;
    expect(pdb.spec).toMatchObject({maxUnavailable: 1});
    expect(pdb.spec.minAvailable).toBeUndefined();
    const policy = get(objects, 'NetworkPolicy') as Json;
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress[0].ports).toEqual([{port: 'http', protocol: 'TCP'}]);
    expect(policy.spec.egress[0].ports.map((p: Json) => p.port)).toEqual([53, 53]);
    expect(policy.spec.egress).toHaveLength(4);
    expect(policy.spec.podSelector.matchLabels).toEqual(
      (get(objects, 'Deployment') as Json).spec.selector.matchLabels
    );
  });
});

describe('validateValues and values.schema.json', () => {
  const base = ['config.kafka.brokers[0]=k:9092', 'config.schemaRegistry.url=http://r:8080/apis/ccompat/v7'];

  it('fails with a clear message when no credentials are configured', () => {
    const stderr = renderError({set: base});
    expect(stderr).toContain('auth: no Pinterest credentials configured: set auth.existingSecret');
    expect(stderr).toContain('auth.clientId, auth.clientSecret and auth.refreshToken');
  });

  it('lists every problem at once with the bare defaults', () => {
    const stderr = renderError({});
    expect(stderr).toContain('no Pinterest credentials configured');
    expect(stderr).toContain('config.kafka.brokers: required');
    expect(stderr).toContain('config.schemaRegistry.url: required');
  });

  it('rejects partial inline credentials, and inline credentials next to existingSecret', () => {
    expect(renderError({set: base, setJson: ['auth.clientId="1"']})).toContain(
      'inline credentials need all of auth.clientId, auth.clientSecret and auth.refreshToken (only clientId set)'
    );
    expect(renderError({set: [...base, 'auth.existingSecret=s', 'auth.clientSecret=x']})).toContain(
      'set either auth.existingSecret or the inline'
    );
  });

  it('renders named connections from their Secrets as files the app reads, with or without auth.*', () => {
    const connections = JSON.stringify([
      {name: 'agency-b', existingSecret: 'pinterest-b', adAccountIds: ['549755885175']},
      {name: 'client_c', existingSecret: 'pinterest-c', clientIdKey: 'app-id'},
    ]);
    const objects = render({set: base, setJson: [`connections=${connections}`]});
    const config = loadAppConfig(objects);
    expect(connectionsOf(config)).toEqual([
      {
        name: 'agency-b',
        clientId: 'secret-pinterest-b-client-id',
        clientSecret: 'secret-pinterest-b-client-secret',
        refreshToken: 'secret-pinterest-b-refresh-token',
        adAccountIds: ['549755885175'],
      },
      {
        name: 'client_c',
        clientId: 'secret-pinterest-c-app-id',
        clientSecret: 'secret-pinterest-c-client-secret',
        refreshToken: 'secret-pinterest-c-refresh-token',
        adAccountIds: [],
      },
    ]);
    // No credential in the ConfigMap, no single-connection env without auth.*, each Secret mounted read-only.
    const configMap = find(objects, 'ConfigMap', 'cdc-pinterest-cdc') as Json;
    expect(configMap.data['config.yaml']).not.toMatch(/secret-pinterest/);
    expect(envOf(objects).map((e) => e.name)).not.toContain('PINTEREST_CLIENT_ID');
    expect(container(objects).volumeMounts).toEqual(
      expect.arrayContaining([
        {name: 'connection-0', mountPath: '/etc/pinterest-cdc-connections/agency-b', readOnly: true},
        {name: 'connection-1', mountPath: '/etc/pinterest-cdc-connections/client_c', readOnly: true},
      ])
    );
    expect(validateManifests(objects)).toEqual([]);

    const both = render({
      set: [...base, 'auth.existingSecret=oauth'],
      setJson: [`connections=${connections}`],
    });
    expect(connectionsOf(loadAppConfig(both)).map((c) => c.name)).toEqual([
      'default',
      'agency-b',
      'client_c',
    ]);
    const twice = JSON.stringify([
      {name: 'b', existingSecret: 's'},
      {name: 'b', existingSecret: 't'},
    ]);
    expect(renderError({set: base, setJson: [`connections=${twice}`]})).toContain('the name b is used twice');
    expect(renderError({set: base, setJson: ['connections=[{"name":"Bad","existingSecret":"s"}]']})).toMatch(
      /pattern/
    );
  });

  it('rejects a grace period not above the shutdown deadline', () => {
    expect(
      renderError({
        valuesFiles: ['default-values.yaml'],
        set: ['terminationGracePeriodSeconds=20'],
      })
    ).toContain('terminationGracePeriodSeconds (20) must be above config.sync.shutdownTimeoutSeconds (20)');
  });

  it('rejects unknown keys, secrets in config, and wrong types (schema)', () => {
    expect(renderError({valuesFiles: ['default-values.yaml'], set: ['config.kafka.brokerz[0]=x:1']})).toMatch(
      /brokerz|additional propert/i
    );
    expect(
      renderError({valuesFiles: ['default-values.yaml'], set: ['config.pinterest.clientSecret=s']})
    ).toMatch(/clientSecret|additional propert/i);
    expect(renderError({valuesFiles: ['default-values.yaml'], set: ['replicas=2']})).toMatch(
      /replicas|additional propert/i
    );
    expect(renderError({valuesFiles: ['default-values.yaml'], set: ['image.pullPolicy=Sometimes']})).toMatch(
      /pullPolicy/
    );
    expect(
      renderError({
        valuesFiles: ['default-values.yaml'],
        setJson: ['config.sync.adAccountIds=[549755885175]'],
      })
    ).toMatch(/adAccountIds/);
  });
});

describe('values.yaml and values.schema.json', () => {
  it('is a draft-07 schema: a description on every property, additionalProperties false on every block', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const problems: string[] = [];
    const walk = (node: Json, path: string) => {
      if (node.properties) {
        if (node.additionalProperties !== false) problems.push(`${path}: additionalProperties not false`);
        for (const [key, child] of Object.entries(node.properties as Record<string, Json>)) {
          if (typeof child.description !== 'string' || child.description.length < 3) {
            problems.push(`${path}.${key}: no description`);
          }
          walk(child, `${path}.${key}`);
        }
      }
    };
    walk(schema, '$');
    expect(problems).toEqual([]);
  });

  it('types every config setting of src/config except secrets and chart-owned ones', () => {
    const paths: string[] = [];
    const walk = (node: Json, prefix: string) => {
      for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, Json>)) {
        if (child.properties) walk(child, `${prefix}${key}.`);
        else paths.push(`${prefix}${key}`);
      }
    };
    walk(schema.properties.config, '');
    const chartOwned = [
      'pinterest.clientId',
      'pinterest.connections',
      'observability.metricsHost',
      'observability.metricsPort',
    ];
    const expected = configLeaves()
      .filter((l) => !l.setting.secret && !chartOwned.includes(l.path))
      .map((l) => l.path);
    expect(paths.sort()).toEqual(expected.sort());
  });

  it('matches the schema: every values.yaml key is in it', () => {
    const values = parseYaml(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Json;
    const missing: string[] = [];
    const walk = (value: unknown, node: Json | undefined, path: string) => {
      if (!node) return missing.push(path);
      if (value && typeof value === 'object' && !Array.isArray(value) && node.properties) {
        for (const [k, v] of Object.entries(value)) walk(v, node.properties[k], `${path}.${k}`);
      }
      return undefined;
    };
    walk(values, schema, '$');
    expect(missing).toEqual([]);
  });

  it('comments every key of values.yaml (pass-through Kubernetes blocks as a whole)', () => {
    const doc = parseDocument(readFileSync(join(CHART, 'values.yaml'), 'utf8'));
    const uncommented: string[] = [];
    // Whether a block documents its own keys (then each must be commented) or is passed through whole.
    const hasComments = (node: unknown): boolean => {
      if (isMap(node) || isSeq(node)) {
        return (node.items as unknown[]).some((item) => {
          const pair = item as {key?: {commentBefore?: string}; value?: unknown};
          return Boolean(pair.key?.commentBefore) || hasComments(isMap(node) ? pair.value : item);
        });
      }
      return false;
    };
    const walk = (map: YAMLMap, path: string, first: string | undefined) => {
      map.items.forEach((pair, i) => {
        const key = isScalar(pair.key) ? String(pair.key.value) : '?';
        const comment =
          (pair.key as {commentBefore?: string} | null)?.commentBefore ?? (i === 0 ? first : undefined);
        const value = pair.value;
        if (comment) {
          if (isMap(value) && (hasComments(value) || value.commentBefore)) {
            walk(value, `${path}.${key}`, value.commentBefore ?? undefined);
          }
        } else if (isMap(value) && value.items.length > 0) {
          // A comment above the first nested key belongs to the nested map.
          walk(value, `${path}.${key}`, value.commentBefore ?? undefined);
        } else {
          uncommented.push(`${path}.${key}`);
        }
      });
    };
    // The document comment belongs to the first key.
    walk(doc.contents as YAMLMap, '$', doc.commentBefore ?? undefined);
    expect(uncommented).toEqual([]);
  });
});
