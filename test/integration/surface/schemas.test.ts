/**
 * `pinterest-cdc schemas print|diff|register` through the CLI (a child process, as a user or a CI step runs it)
 * against the test's real registry (Apicurio, ccompat API, BACKWARD compatibility): the local schemas of every
 * configured collection (analytics ones too), the verdict per subject with exit codes a pipeline can branch on,
 * and a change the registry refuses, shown with the registry's own reason.
 */
import {randomBytes} from 'node:crypto';

import {runCli} from '../helpers/cli';
import {freePort} from '../helpers/prometheus';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';

jest.setTimeout(180_000);

interface Printed {
  collection: string;
  kind: string;
  key: {subject: string; schema: {fields: {name: string; type: unknown}[]}};
  value: {schema: {fields: {name: string}[]}};
  envelope: {subject: string; schema: {fields: {name: string}[]}};
}

function env(prefix: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PINTEREST_CDC_FROM_SOURCE: '1',
    KAFKA_BROKERS: kafkaBrokers().join(','),
    SCHEMA_REGISTRY_URL: schemaRegistryUrl(),
    PINTEREST_CDC_TOPIC_PREFIX: prefix,
    PINTEREST_CDC_ANALYTICS__COLLECTIONS: 'ad_analytics,campaign_analytics',
  };
}

/** Registers a schema version directly (what an earlier deploy would have left in the registry). */
async function registerDirectly(subject: string, schema: object): Promise<void> {
  const response = await fetch(`${schemaRegistryUrl()}/subjects/${subject}/versions`, {
    method: 'POST',
    headers: {'Content-Type': 'application/vnd.schemaregistry.v1+json'},
    body: JSON.stringify({schema: JSON.stringify(schema)}),
  });
  expect(response.status).toBe(200);
}

const verdicts = (stdout: string) =>
  Object.fromEntries(
    stdout
      .split('\n')
      .filter((line) => /^\S/.test(line))
      .map((line) => {
        const [, verdict, subject] = /^(identical|compatible|not registered|INCOMPATIBLE)\s+(\S+)/.exec(
          line
        )!;
        return [subject!, verdict!];
      })
  );

describe('schemas through the CLI', () => {
  const prefix = `schemas_${randomBytes(4).toString('hex')}`;

  it('prints key, value and envelope of every configured collection, analytics included', async () => {
    const result = await runCli(['schemas', 'print'], env(prefix));
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as Printed[];
    expect(printed.map((p) => p.collection)).toEqual([
      'ad_accounts',
      'campaigns',
      'ad_groups',
      'ads',
      'boards',
      'pins',
      'ad_analytics',
      'campaign_analytics',
    ]);
    const ads = printed.find((p) => p.collection === 'ad_analytics')!;
    expect(ads.kind).toBe('analytics');
    expect(ads.key.subject).toBe(`${prefix}.ad_analytics-key`);
    expect(ads.envelope.subject).toBe(`${prefix}.ad_analytics-value`);
    expect(ads.envelope.schema.fields.map((f) => f.name)).toEqual(
      expect.arrayContaining(['before', 'after', 'source', 'op'])
    );
    expect(ads.value.schema.fields.length).toBeGreaterThan(5);
  });

  it('diffs (not registered, exit 0), registers (ids), then diffs again (identical), registering nothing on diff', async () => {
    const selection = ['--collections', 'pins,ad_analytics'];
    const before = await runCli(['schemas', 'diff', ...selection], env(prefix));
    expect(before.code).toBe(0);
    expect(verdicts(before.stdout)).toEqual({
      [`${prefix}.pins-key`]: 'not registered',
      [`${prefix}.pins-value`]: 'not registered',
      [`${prefix}.ad_analytics-key`]: 'not registered',
      [`${prefix}.ad_analytics-value`]: 'not registered',
    });
    // diff registered nothing.
    const subjects = await (await fetch(`${schemaRegistryUrl()}/subjects`)).json();
    expect((subjects as string[]).filter((s) => s.startsWith(`${prefix}.`))).toEqual([]);

    const registered = await runCli(['schemas', 'register', ...selection], env(prefix));
    expect(registered.code).toBe(0);
    expect(registered.stdout.match(/^registered\s+\S+\s+id \d+$/gm)).toHaveLength(4);

    const after = await runCli(['schemas', 'diff', '--json', ...selection], env(prefix));
    expect(after.code).toBe(0);
    const checks = after.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {subject: string; state: string; version: number});
    expect(checks.map((c) => [c.state, c.version])).toEqual([
      ['registered', 1],
      ['registered', 1],
      ['registered', 1],
      ['registered', 1],
    ]);
  });

  it('refuses an incompatible change with the registry reason (diff and register exit 1), accepts a compatible one', async () => {
    const other = `${prefix}_x`;
    // An earlier deploy had boards keyed by a long id: today's string key cannot read it (BACKWARD).
    await registerDirectly(`${other}.boards-key`, {
      type: 'record',
      name: 'Key',
      namespace: 'pinterest.cdc.boards',
      fields: [{name: 'id', type: 'long'}],
    });
    // And pins with a key field since dropped: today's key reads such data (the extra field is ignored).
    await registerDirectly(`${other}.pins-key`, {
      type: 'record',
      name: 'Key',
      namespace: 'pinterest.cdc.pins',
      fields: [
        {name: 'id', type: 'string'},
        {name: 'legacy', type: 'string'},
      ],
    });
    const selection = ['--collections', 'boards,pins'];
    const diff = await runCli(['schemas', 'diff', ...selection], env(other));
    expect(diff.code).toBe(1);
    expect(verdicts(diff.stdout)).toEqual({
      [`${other}.boards-key`]: 'INCOMPATIBLE',
      [`${other}.boards-value`]: 'not registered',
      [`${other}.pins-key`]: 'compatible',
      [`${other}.pins-value`]: 'not registered',
    });
    // Apicurio's own words, under the subject.
    expect(diff.stdout).toMatch(
      new RegExp(
        `INCOMPATIBLE\\s+${other}\\.boards-key\\n\\s+reader type: STRING not compatible with writer type: LONG`
      )
    );
    expect(diff.stderr).toContain(
      `error: 1 of 4 subjects incompatible with the registry: ${other}.boards-key`
    );

    const register = await runCli(['schemas', 'register', ...selection], env(other));
    expect(register.code).toBe(1);
    expect(register.stdout).toMatch(
      new RegExp(
        `^REFUSED\\s+${other}\\.boards-key\\s+.*Incompatible.*STRING not compatible with writer type: LONG`,
        'm'
      )
    );
    // The others are registered all the same (pins-key as version 2).
    expect(register.stdout.match(/^registered\s+/gm)).toHaveLength(2);
    expect(register.stderr).toContain(`error: the registry refused 1 subject(s): ${other}.boards-key`);
    const pins = await (await fetch(`${schemaRegistryUrl()}/subjects/${other}.pins-key/versions`)).json();
    expect(pins).toEqual([1, 2]);
  });

  it('exits 2 for a collection that is not configured, before asking the registry', async () => {
    const result = await runCli(['schemas', 'diff', '--collections', 'pins,nope'], {
      ...env(prefix),
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9/apis/ccompat/v7',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--collections: nope not configured');
  });

  it('says when the registry does not answer (exit 1)', async () => {
    const url = `http://127.0.0.1:${await freePort()}/apis/ccompat/v7`;
    const result = await runCli(['schemas', 'diff', '--collections', 'pins'], {
      ...env(prefix),
      SCHEMA_REGISTRY_URL: url,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: schema registry at ${url} did not answer: connect ECONNREFUSED`);
  });
});
