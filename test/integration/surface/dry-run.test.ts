/**
 * `sync --once --dry-run` through the CLI against the sandbox and the test's real Kafka + registry: the events a
 * real run would emit come out as JSON lines on stdout (logs and summary on stderr), and nothing is written:
 * no event, state or dead-letter record (topic offsets), no event or state topic created, no schema registered,
 * no ownership claim (so no transactional producer fenced anybody). A real run afterwards still emits the full
 * snapshot; a dry run after it restores that state read-only and shows only what changed since.
 */
import {randomBytes} from 'node:crypto';

import {Kafka, logLevel} from 'kafkajs';

import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {readCommitted} from '../helpers/committed-events';
import {runCli, type CliResult} from '../helpers/cli';
import {cliChildEnv} from '../helpers/service-env';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';

jest.setTimeout(300_000);

const COLLECTIONS = ['ad_accounts', 'campaigns', 'ad_groups', 'ads', 'boards', 'pins'];

interface Line {
  topic: string;
  collection: string;
  key: Record<string, unknown>;
  value: {op: string; before: unknown; after: {id: string} | null} | null;
}

describe('sync --dry-run through the CLI', () => {
  let sandbox: RunningSandbox;
  const prefix = `dry_${randomBytes(4).toString('hex')}`;
  const kafka = new Kafka({brokers: kafkaBrokers(), clientId: 'it-dry-run', logLevel: logLevel.NOTHING});
  const admin = kafka.admin();

  beforeAll(async () => {
    sandbox = await startSandbox({
      scale: {
        adAccounts: 2,
        campaignsPerAccount: 2,
        adGroupsPerCampaign: 2,
        adsPerAdGroup: 2,
        boards: 3,
        pins: 25,
      },
    });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
    await sandbox?.close();
  });

  // Entity collections only: analytics would add minutes and nothing this test looks at. Every delete goes
  // through (1 board of 3 would be held by the default delete guard, which e2e/delete-guard.test.ts covers).
  const sync = (...flags: string[]) =>
    runCli(
      ['--set', 'analytics.collections=', 'sync', ...flags],
      cliChildEnv(sandbox, prefix, {PINTEREST_CDC_SYNC__DELETE_GUARD_PERCENT: '100'})
    );

  const linesOf = (result: CliResult): Line[] =>
    result.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Line);

  const ourTopics = async () => (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`)).sort();

  /** End offsets of every topic of this prefix: what a downstream consumer could ever read. */
  async function endOffsets(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const topic of await ourTopics()) {
      const offsets = await admin.fetchTopicOffsets(topic);
      out[topic] = offsets.map((o) => `${o.partition}:${o.high}`).join(',');
    }
    return out;
  }

  const truthIds = (collection: string): string[] => {
    if (collection === 'ad_accounts' || collection === 'boards' || collection === 'pins')
      return sandbox.control.truth(collection).items.map((r) => String(r.id));
    return sandbox.control
      .truth('ad_accounts')
      .items.flatMap((account) =>
        sandbox.control.truth(collection, String(account.id)).items.map((r) => String(r.id))
      );
  };

  let dryLines: Line[] = [];

  it('prints every snapshot event as a JSON line, the summary on stderr, and writes nothing', async () => {
    const result = await sync('--dry-run');
    expect(result.code).toBe(0);
    dryLines = linesOf(result);
    for (const collection of COLLECTIONS) {
      const events = dryLines.filter((l) => l.collection === collection);
      expect(events.every((l) => l.topic === `${prefix}.${collection}` && l.value?.op === 'r')).toBe(true);
      expect(events.map((l) => String(l.value!.after!.id)).sort()).toEqual(truthIds(collection).sort());
    }
    expect(result.stderr).toMatch(/^pins\s+25\s+25\s+0\s+0\s+0\s+0\s+0$/m);
    expect(result.stderr).toMatch(
      /dry run: wrote nothing; a real run would have written .*state records not saved/
    );
    expect(result.stderr).toContain('"msg":"State restored from the changelog"');

    // Only the token topic exists (a rotated refresh token must be kept); no event, state or dead-letter topic.
    expect(await ourTopics()).toEqual([`${prefix}.tokens`]);
    const subjects = (await (await fetch(`${schemaRegistryUrl()}/subjects`)).json()) as string[];
    expect(subjects.filter((s) => s.startsWith(`${prefix}.`))).toEqual([]);
  });

  it('leaves the state unsaved: a real run afterwards emits the full snapshot', async () => {
    const result = await sync();
    expect(result.code).toBe(0);
    const committed = await readCommitted({
      brokers: kafkaBrokers(),
      registryUrl: schemaRegistryUrl(),
      topics: COLLECTIONS.map((c) => `${prefix}.${c}`),
    });
    expect(committed.map((m) => (m.value as {op: string}).op)).toEqual(dryLines.map(() => 'r'));
    const key = (topic: string, id: unknown) => `${topic}|${String(id)}`;
    expect(committed.map((m) => key(m.topic, (m.value as {after: {id: string}}).after.id)).sort()).toEqual(
      dryLines.map((l) => key(l.topic, l.value!.after!.id)).sort()
    );
  });

  it('restores the real state read-only: shows only what changed since, and moves no offset', async () => {
    const before = await endOffsets();
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining([`${prefix}.state`, `${prefix}.pins`, `${prefix}.campaigns`])
    );
    const unchanged = await sync('--dry-run');
    expect(unchanged.code).toBe(0);
    expect(unchanged.stdout).toBe('');

    sandbox.control.applyChanges([
      {kind: 'create', collection: 'pins', count: 2},
      {kind: 'update', collection: 'campaigns', count: 1},
      {kind: 'delete', collection: 'boards', count: 1},
    ]);
    const changed = await sync('--dry-run');
    expect(changed.code).toBe(0);
    const lines = linesOf(changed);
    const ops = (collection: string) =>
      lines
        .filter((l) => l.collection === collection)
        .map((l) => (l.value === null ? 'tombstone' : l.value.op));
    expect(ops('pins')).toEqual(['c', 'c']);
    expect(ops('campaigns')).toEqual(['u']);
    expect(ops('boards')).toEqual(['d', 'tombstone']);
    expect(lines.filter((l) => !['pins', 'campaigns', 'boards'].includes(l.collection))).toEqual([]);
    // Not a record more anywhere: no events, no state, no ownership claim of a transactional producer.
    expect(await endOffsets()).toEqual(before);
  });
});
