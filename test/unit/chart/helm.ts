/**
 * Runs the pinned helm (scripts/install-tool.js puts it in .tools/, or HELM_BIN) against helm/pinterest-cdc and
 * validates rendered manifests with kubernetes-models (validate-manifests.mjs, in its own process: ESM only).
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {readdirSync} from 'node:fs';
import {join} from 'node:path';

import {parseAllDocuments} from 'yaml';

import {tool} from '../../tools';

export const ROOT = join(__dirname, '..', '..', '..');
export const CHART = join(ROOT, 'helm', 'pinterest-cdc');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}

/** The helm binary (test/tools.ts installs the pinned one on first use, or fails saying why). */
export function helm(): string {
  return tool('helm');
}

export function ciValuesFiles(): string[] {
  return readdirSync(join(CHART, 'ci'))
    .filter((f) => f.endsWith('-values.yaml'))
    .sort();
}

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function runHelm(args: string[]): HelmResult {
  const result = spawnSync(helm(), args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      HELM_CACHE_HOME: join(ROOT, '.tools', 'helm-home', 'cache'),
      HELM_CONFIG_HOME: join(ROOT, '.tools', 'helm-home', 'config'),
      HELM_DATA_HOME: join(ROOT, '.tools', 'helm-home', 'data'),
    },
  });
  return {status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr};
}

export interface RenderOptions {
  valuesFiles?: string[];
  set?: string[];
  /** `--set-json` arguments (`path=<json>`). */
  setJson?: string[];
  releaseName?: string;
  namespace?: string;
  showOnly?: string;
}

function templateArgs(options: RenderOptions): string[] {
  const args = ['template', options.releaseName ?? 'cdc', CHART, '--namespace', options.namespace ?? 'data'];
  args.push('--api-versions', 'monitoring.coreos.com/v1');
  for (const f of options.valuesFiles ?? []) args.push('-f', join(CHART, 'ci', f));
  for (const s of options.set ?? []) args.push('--set', s);
  for (const s of options.setJson ?? []) args.push('--set-json', s);
  if (options.showOnly) args.push('--show-only', options.showOnly);
  return args;
}

/** `helm template`; throws with helm's stderr when it fails. */
export function render(options: RenderOptions = {}): K8sObject[] {
  const result = runHelm(templateArgs(options));
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`rendered YAML: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((d): d is K8sObject => d !== null && typeof d === 'object');
}

/** `helm template` expected to fail; returns its stderr. */
export function renderError(options: RenderOptions): string {
  const result = runHelm(templateArgs(options));
  if (result.status === 0) throw new Error('helm template succeeded, expected a failure');
  return result.stderr;
}

export function find(objects: K8sObject[], kind: string, name?: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

export function get(objects: K8sObject[], kind: string): K8sObject {
  const found = find(objects, kind);
  if (!found) throw new Error(`no ${kind} rendered (kinds: ${objects.map((o) => o.kind).join(', ')})`);
  return found;
}

/** Problems kubernetes-models finds in the objects (empty = valid). */
export function validateManifests(objects: K8sObject[]): {kind: string; name: string; error: string}[] {
  const out = execFileSync(process.execPath, [join(__dirname, 'validate-manifests.mjs')], {
    cwd: ROOT,
    input: JSON.stringify(objects),
    encoding: 'utf8',
  });
  return JSON.parse(out) as {kind: string; name: string; error: string}[];
}
