/**
 * A fleet of real `run` processes (child processes of the CLI, from source) shares 2 connections (2 sandbox users
 * of 6 ad accounts each: 12 ad accounts) through the consumer group on the state topic (6 tasks), while the
 * sandbox changes both users' entities all the
 * time: 1 instance, then 3, then one leaves by SIGKILL (its tasks move once the session times out) and one by
 * SIGTERM (it hands them over at once), leaving 2. Then:
 * - the committed events (read_committed) are the sandbox's truth with no duplicate: per key one `r`/`c` first,
 *   nothing after a `d`, no event repeating the previous one, the live keys equal the sandbox's records and every
 *   applied update shows up;
 * - every shard was held by one instance at a time: each task's state records carry the owner token of the
 *   taking that committed them (OWNER_HEADER), and in each partition a token that gave way never comes back;
 *   each shard's state records sit in one partition only (its task's);
 * - each of the 1, 3 and 2 stages ran tasks on every live instance;
 * - the assignment is sticky: the instances left after the SIGKILL keep the tasks they held;
 * - a forced token expiry under the 3 instances (the sandbox revokes one connection's access tokens, so every
 *   instance's next request of that connection answers 401) costs exactly one refresh across the fleet (the
 *   others take its token from the shared token store), every instance goes on syncing, and no token or client
 *   secret shows in any instance's output.
 * Only service processes are killed: the shared stack is safe.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import path from 'node:path';

import {OWNER_HEADER, taskOf} from '../../../src/fleet';
import {createKafkaConnection} from '../../../src/kafka';
import {
  startSandbox,
  type AppliedChange,
  type RunningSandbox,
  type SandboxChange,
} from '../../../src/sandbox';
import {decodeChangelogKey, shardOfChangelogKey} from '../../../src/state';
import {readCommitted, type ConsumedMessage} from '../helpers/committed-events';
import {cliChildEnv} from '../helpers/service-env';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';

jest.setTimeout(420_000);

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'bin', 'pinterest-cdc.js');
const TASKS = 6;
const COLLECTIONS = ['ad_accounts', 'campaigns', 'ad_groups', 'ads', 'boards', 'pins'];
const PER_ACCOUNT = ['campaigns', 'ad_groups', 'ads'];
const USERS = ['alice', 'bob'];

interface Instance {
  readonly name: string;
  readonly child: ChildProcess;
  readonly lines: {at: number; msg: string; fields: Record<string, unknown>}[];
  readonly exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>;
  /** Everything the process wrote, stdout and stderr. */
  readonly output: string[];
}

const quiet = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('a fleet of run processes (1 -> 3 -> 2, SIGKILL and SIGTERM) with live changes', () => {
  let sandbox: RunningSandbox;
  const prefix = `fleet${randomBytes(4).toString('hex')}`;
  const instances: Instance[] = [];
  const applied: AppliedChange[] = [];
  const timeline: string[] = [];
  const started = Date.now();
  const note = (line: string) => timeline.push(`${((Date.now() - started) / 1000).toFixed(1)} s ${line}`);

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: 11,
      users: USERS.map((name) => ({name, refreshToken: `pinr.${name}-initial`})),
      scale: {
        adAccounts: 6,
        campaignsPerAccount: 2,
        adGroupsPerCampaign: 1,
        adsPerAdGroup: 2,
        boards: 2,
        pins: 40,
        analyticsDays: 1,
      },
    });
  });

  afterAll(async () => {
    for (const instance of instances) {
      if (instance.child.exitCode === null) instance.child.kill('SIGKILL');
      // Said when the test fails: what each instance warned about, and its task moves.
      for (const line of instance.lines.filter(
        (l) =>
          ['warn', 'error', 'fatal'].includes(String(l.fields.level)) ||
          /^Task|fleet group|Sync cycle/.test(l.msg) ||
          !!process.env.FLEET_TEST_LOG
      ))
        timeline.push(
          `  ${instance.name} ${((line.at - started) / 1000).toFixed(1)} s ${line.msg} ${JSON.stringify(line.fields).slice(0, 300)}`
        );
    }
    await sandbox?.close();
    console.log(`fleet test (${prefix}):\n${timeline.join('\n')}`);
  });

  function start(name: string): Instance {
    const child = spawn(process.execPath, [CLI, 'run'], {
      cwd: ROOT,
      env: cliChildEnv(sandbox, prefix, {
        KAFKA_BROKERS: kafkaBrokers().join(','),
        SCHEMA_REGISTRY_URL: schemaRegistryUrl(),
        PINTEREST_CDC_ANALYTICS__COLLECTIONS: '[]',
        // Two named connections only (no `default` one from the single-connection variables).
        PINTEREST_CLIENT_ID: '',
        PINTEREST_CLIENT_SECRET: '',
        PINTEREST_REFRESH_TOKEN: '',
        PINTEREST_CONNECTIONS: JSON.stringify(
          Object.fromEntries(
            USERS.map((name) => [
              name,
              {
                clientId: sandbox.credentials.clientId,
                clientSecret: sandbox.credentials.clientSecret,
                refreshToken: sandbox.users.find((u) => u.name === name)!.refreshToken,
              },
            ])
          )
        ),
        PINTEREST_CDC_SYNC__INTERVAL_SECONDS: '1',
        PINTEREST_CDC_SYNC__DELETE_GUARD_PERCENT: '100',
        PINTEREST_CDC_KAFKA__TRANSACTION_BATCH_SIZE: '5',
        PINTEREST_CDC_FLEET__TASKS: String(TASKS),
        PINTEREST_CDC_FLEET__SESSION_TIMEOUT_SECONDS: '6',
        METRICS_PORT: '0',
        LOG_LEVEL: 'info',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Instance['lines'] = [];
    const output: string[] = [];
    let rest = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      const text = rest + chunk.toString();
      const parts = text.split('\n');
      rest = parts.pop() ?? '';
      for (const part of parts) {
        try {
          const fields = JSON.parse(part) as Record<string, unknown>;
          lines.push({at: Date.now(), msg: String(fields.msg), fields});
        } catch {
          // not a log line
        }
      }
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      output.push(chunk.toString());
    });
    const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) =>
      child.on('exit', (code, signal) => {
        note(`${name} exited (code ${code}, signal ${signal})${stderr ? `: ${stderr.slice(-500)}` : ''}`);
        resolve({code, signal});
      })
    );
    const instance = {name, child, lines, exited, output};
    instances.push(instance);
    note(`${name} started (pid ${child.pid})`);
    return instance;
  }

  /** Tasks an instance holds now, from its log: taken minus dropped. */
  function held(instance: Instance): Set<number> {
    const tasks = new Set<number>();
    for (const line of instance.lines) {
      const task = Number(line.fields.task);
      if (line.msg.startsWith('Task taken')) tasks.add(task);
      if (line.msg === 'Task dropped') tasks.delete(task);
    }
    return tasks;
  }

  const cyclesAfter = (instance: Instance, since: number) =>
    instance.lines.filter((l) => l.at > since && l.msg.startsWith('Sync cycle finished')).length;

  /** Waits until the live instances hold every task between them, each some, and each ran 2 cycles since. */
  async function settled(live: Instance[], stage: string): Promise<void> {
    await waitFor(`${stage}: every task held once`, () => {
      const all = live.flatMap((i) => [...held(i)]);
      return all.length === TASKS && new Set(all).size === TASKS && live.every((i) => held(i).size > 0);
    });
    const since = Date.now();
    await waitFor(`${stage}: cycles on every instance`, () => live.every((i) => cyclesAfter(i, since) >= 2));
    note(`${stage}: ${live.map((i) => `${i.name} [${[...held(i)].sort().join(',')}]`).join(' ')}`);
  }

  const CHANGES: SandboxChange[][] = [
    [{kind: 'update', collection: 'campaigns', count: 2}],
    [{kind: 'create', collection: 'campaigns', count: 1}],
    [{kind: 'update', collection: 'ads', count: 1}],
    [{kind: 'update', collection: 'ad_groups', count: 1}],
    [{kind: 'update', collection: 'pins', count: 2}],
    [{kind: 'create', collection: 'pins', count: 1}],
    [{kind: 'delete', collection: 'pins', count: 1}],
    [{kind: 'create', collection: 'boards', count: 1}],
  ];

  it('shares the shards, hands them over on SIGKILL and SIGTERM, and writes the truth once', async () => {
    const a = start('A');
    await settled([a], '1 instance');
    // From here on the sandbox changes all the time (changes before the first snapshot would only show as `r`).
    let changing = true;
    const changer = (async () => {
      for (let i = 0; changing; i++) {
        const user = sandbox.control.user(USERS[i % USERS.length]!);
        applied.push(...user.applyChanges(CHANGES[Math.floor(i / USERS.length) % CHANGES.length]!).applied);
        await sleep(700);
      }
    })();

    const b = start('B');
    const c = start('C');
    await settled([a, b, c], '3 instances');

    // Forced token expiry under the fleet: every instance reads alice's ad-account list each cycle, so each one
    // meets the 401; one of them refreshes (Pinterest rotates the refresh token), the others adopt its token.
    const alice = sandbox.control.user(USERS[0]!);
    const refreshesBefore = alice.stats().tokenRefreshes;
    // A revoked token names no user: its 401 counts sandbox-wide.
    const unauthorized = () => sandbox.control.stats().requests.byStatus['401'] ?? 0;
    const tokenRequests = () => alice.stats().requests.byEndpoint['POST /v5/oauth/token'] ?? 0;
    const [unauthorizedBefore, tokenRequestsBefore] = [unauthorized(), tokenRequests()];
    const revokedAt = Date.now();
    alice.setFaults({revokeTokens: true});
    await waitFor('a clean cycle on every instance after the revocation', () =>
      [a, b, c].every((i) =>
        i.lines.some(
          (l) =>
            l.msg === 'Sync cycle finished' &&
            l.at - Number(l.fields.seconds) * 1000 > revokedAt &&
            Number(l.fields.failed) === 0
        )
      )
    );
    const refreshes = alice.stats().tokenRefreshes - refreshesBefore;
    const refused = unauthorized() - unauthorizedBefore;
    note(
      `revoked alice's access tokens: ${refused} request(s) answered 401, ${tokenRequests() - tokenRequestsBefore} ` +
        `token request(s), ${refreshes} refresh(es) across the fleet; every instance synced again`
    );
    expect(refused).toBeGreaterThanOrEqual(3); // each instance met the expiry
    expect(refreshes).toBe(1);
    for (const i of [a, b, c])
      expect(
        i.lines.filter((l) => l.at > revokedAt && /re-authori[sz]|refused the refresh token/i.test(l.msg))
      ).toEqual([]);

    const keptBeforeKill = new Map([a, c].map((i) => [i, held(i)]));
    const killedAt = Date.now();
    b.child.kill('SIGKILL');
    await b.exited;
    await settled([a, c], 'B killed');
    // Sticky: the survivors kept what they held; only B's tasks moved.
    for (const [i, kept] of keptBeforeKill) expect([...kept].filter((t) => !held(i).has(t))).toEqual([]);
    // Measured from the kill: the session timeout (6 s) plus the rebalance and restores.
    note(`B's tasks synced again ${((Date.now() - killedAt) / 1000).toFixed(1)} s after its SIGKILL`);

    c.child.kill('SIGTERM');
    expect((await c.exited).code).toBe(0);
    await settled([a], 'C stopped');
    const d = start('D');
    await settled([a, d], '2 instances');

    changing = false;
    await changer;
    const quiet = Date.now();
    await waitFor('cycles after the last change', () => [a, d].every((i) => cyclesAfter(i, quiet) >= 2));
    a.child.kill('SIGTERM');
    d.child.kill('SIGTERM');
    expect((await a.exited).code).toBe(0);
    expect((await d.exited).code).toBe(0);

    // The events: the truth, once.
    const events = await readCommitted({
      brokers: kafkaBrokers(),
      registryUrl: schemaRegistryUrl(),
      topics: COLLECTIONS.map((c) => `${prefix}.${c}`),
    });
    expectTruthOnce(events);

    // The owners: one at a time per task; each shard in its task's partition only.
    const owners = await stateOwners();
    for (const [partition, tokens] of owners.sequences) {
      const seen = new Set<string>();
      let current: string | undefined;
      for (const token of tokens) {
        if (token === current) continue;
        expect(seen.has(token)).toBe(false); // a token that gave way came back: two owners interleaved
        seen.add(token);
        current = token;
      }
      note(`task ${partition}: ${seen.size} successive owners`);
    }
    for (const [shard, partitions] of owners.shardPartitions) {
      expect([...partitions]).toEqual([taskOf(shard, TASKS)]);
    }
    // 12 ad accounts, and per connection its boards-and-pins and its ad-account list.
    expect(owners.shardPartitions.size).toBeGreaterThanOrEqual(12 + 2 * 2);

    // No secret in any output: minted tokens, the initial refresh tokens, the client secret.
    const output = instances.flatMap((i) => i.output).join('');
    expect(output).not.toMatch(/pin[ar]\.[0-9a-f]{48}/);
    for (const user of sandbox.users) expect(output).not.toContain(user.refreshToken);
    expect(output).not.toContain(sandbox.credentials.clientSecret);
  });

  function expectTruthOnce(events: ConsumedMessage[]): void {
    const byKey = new Map<string, {op: string; after: unknown}[]>();
    for (const m of events) {
      if (m.value === null) continue; // tombstones follow deletes
      const v = m.value as {op: string; after: unknown};
      const key = `${m.topic}|${JSON.stringify(m.key)}`;
      byKey.set(key, [...(byKey.get(key) ?? []), {op: v.op, after: v.after}]);
    }
    for (const [key, list] of byKey) {
      expect({key, first: list[0]!.op}).toEqual({key, first: expect.stringMatching(/^[rc]$/)});
      expect({key, creates: list.filter((e) => e.op === 'r' || e.op === 'c').length}).toEqual({
        key,
        creates: 1,
      });
      const d = list.findIndex((e) => e.op === 'd');
      if (d >= 0) expect({key, afterDelete: list.length - 1 - d}).toEqual({key, afterDelete: 0});
      for (let i = 1; i < list.length; i++)
        expect({key, i, same: JSON.stringify(list[i]) === JSON.stringify(list[i - 1])}).toEqual({
          key,
          i,
          same: false,
        });
    }
    const users = USERS.map((name) => sandbox.control.user(name));
    const accounts = users.map((u) => u.truth('ad_accounts').items.map((a) => String(a.id)));
    expect(accounts.flat()).toHaveLength(12);
    for (const collection of COLLECTIONS) {
      const truth = users.flatMap((user, i) =>
        PER_ACCOUNT.includes(collection)
          ? accounts[i]!.flatMap((id) => user.truth(collection, id).items)
          : user.truth(collection).items
      );
      const live = [...byKey]
        .filter(([key, list]) => key.startsWith(`${prefix}.${collection}|`) && list.at(-1)!.op !== 'd')
        .map(([, list]) => String((list.at(-1)!.after as {id: string}).id));
      expect({collection, live: live.sort()}).toEqual({
        collection,
        live: truth.map((r) => String(r.id)).sort(),
      });
    }
    for (const change of applied.filter((c) => c.op === 'u')) {
      const key = `${prefix}.${change.collection}|${JSON.stringify(change.key)}`;
      expect({key, updated: (byKey.get(key) ?? []).some((e) => e.op === 'u' || e.op === 'd')}).toEqual({
        key,
        updated: true,
      });
    }
    note(`${events.length} committed messages, ${applied.length} sandbox changes`);
  }

  /** The state topic read committed, with headers: owner tokens per partition in order, partitions per shard. */
  async function stateOwners(): Promise<{
    sequences: Map<number, string[]>;
    shardPartitions: Map<string, Set<number>>;
  }> {
    const sequences = new Map<number, string[]>();
    const shardPartitions = new Map<string, Set<number>>();
    const kafka = createKafkaConnection(
      {brokers: kafkaBrokers(), clientId: 'fleet-test', logLevel: 'nothing'},
      {logger: quiet}
    );
    try {
      for await (const record of kafka.changelogReader().readToEnd(`${prefix}.state`)) {
        const owner = record.headers?.[OWNER_HEADER];
        if (owner === undefined) continue;
        sequences.set(record.partition, [...(sequences.get(record.partition) ?? []), owner.toString()]);
        const shard = shardOfChangelogKey(decodeChangelogKey(record.key));
        // A relayout's tombstone names the partition it empties: only live records say where a shard lives.
        if (shard !== undefined && record.value !== null) {
          const partitions = shardPartitions.get(shard) ?? new Set<number>();
          partitions.add(record.partition);
          shardPartitions.set(shard, partitions);
        }
      }
    } finally {
      await kafka.close();
    }
    return {sequences, shardPartitions};
  }
});
