/* global process */
/**
 * Validates Kubernetes manifests against the OpenAPI schemas bundled in kubernetes-models (core kinds) and
 * @kubernetes-models/prometheus-operator (ServiceMonitor, PrometheusRule): reads a JSON array of objects on stdin,
 * prints a JSON array of {kind, name, error} (empty = all valid). An ESM-only library, hence a separate process
 * (jest transforms tests to CommonJS). Unknown fields pass (no strict mode): typos are for values.schema.json.
 */
const CORE_GROUP = '';

/** `apps/v1` -> `kubernetes-models/apps/v1/<Kind>`; `v1` -> `kubernetes-models/v1/<Kind>`. */
function modulePath(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [CORE_GROUP, apiVersion];
  const pkg =
    group === 'monitoring.coreos.com' ? '@kubernetes-models/prometheus-operator' : 'kubernetes-models';
  return group === CORE_GROUP ? `${pkg}/${version}/${kind}` : `${pkg}/${group}/${version}/${kind}`;
}

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const docs = JSON.parse(input);
  const problems = [];
  for (const doc of docs) {
    const name = doc?.metadata?.name;
    try {
      const mod = await import(modulePath(doc.apiVersion, doc.kind));
      const Kind = mod[doc.kind] ?? mod.default;
      new Kind(doc).validate();
    } catch (error) {
      problems.push({kind: doc?.kind, name, error: error instanceof Error ? error.message : String(error)});
    }
  }
  process.stdout.write(JSON.stringify(problems));
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
