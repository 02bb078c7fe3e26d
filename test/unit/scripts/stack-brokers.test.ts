/**
 * The local stack's multi-broker pieces that need no JVM: each node's server.properties, its files, the command
 * line of `npm run stack:up -- --brokers 3` and `npm run stack:broker`. (Starting and restarting real nodes is
 * exercised by test/integration/reliability/three-brokers.test.ts.)
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const {serverProperties, replicationSettings} = require('../../../scripts/stack/config-files') as {
  serverProperties(o: object): string;
  replicationSettings(nodes: number): {replicas: number; minIsr: number};
};
const {brokerCount, brokerFiles, brokersOf, brokerById} = require('../../../scripts/stack/brokers') as {
  brokerCount(v: unknown): number;
  brokerFiles(
    dir: string,
    id: number,
    count: number
  ): {dataDir: string; serverProperties: string; log: string};
  brokersOf(state: object): {id: number; port: number}[];
  brokerById(state: object, id: number): {id: number};
};
const {parseStackArgs} = require('../../../scripts/stack/cli-args') as {
  parseStackArgs(argv: string[], dir: string): Record<string, unknown>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

function properties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([\w.]+)=(.*)$/.exec(line);
    if (match) out[match[1]!] = match[2]!;
  }
  return out;
}

describe('serverProperties', () => {
  it('keeps a single node at replication 1 and min ISR 1 (the default stack)', () => {
    const p = properties(serverProperties({kafkaPort: 9092, controllerPort: 9093, dataDir: '/d'}));
    expect(p).toMatchObject({
      'node.id': '1',
      'controller.quorum.voters': '1@127.0.0.1:9093',
      'default.replication.factor': '1',
      'min.insync.replicas': '1',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
      'offsets.topic.replication.factor': '1',
      listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
    });
  });

  it('gives each node of three its id, every voter, replication 3 and min ISR 2', () => {
    const voters = [1, 2, 3].map((id) => ({id, controllerPort: 9000 + id}));
    const p = properties(
      serverProperties({kafkaPort: 9202, controllerPort: 9002, dataDir: '/d/broker-2', nodeId: 2, voters})
    );
    expect(p).toMatchObject({
      'node.id': '2',
      'controller.quorum.voters': '1@127.0.0.1:9001,2@127.0.0.1:9002,3@127.0.0.1:9003',
      'log.dirs': '/d/broker-2',
      'default.replication.factor': '3',
      'min.insync.replicas': '2',
      'transaction.state.log.replication.factor': '3',
      'transaction.state.log.min.isr': '2',
      'offsets.topic.replication.factor': '3',
      listeners: 'PLAINTEXT://127.0.0.1:9202,CONTROLLER://127.0.0.1:9002',
    });
  });

  it('caps replication at 3 and needs 3 replicas before asking for 2 in sync', () => {
    expect([1, 2, 3, 5].map(replicationSettings)).toEqual([
      {replicas: 1, minIsr: 1},
      {replicas: 2, minIsr: 1},
      {replicas: 3, minIsr: 2},
      {replicas: 3, minIsr: 2},
    ]);
  });
});

describe('broker files and state', () => {
  it('keeps the single-broker names for one node and gives each of several its own', () => {
    expect(brokerFiles('/s', 1, 1)).toEqual({
      dataDir: '/s/data',
      serverProperties: '/s/server.properties',
      log: '/s/logs/kafka.log',
    });
    expect(brokerFiles('/s', 3, 3)).toEqual({
      dataDir: '/s/data/broker-3',
      serverProperties: '/s/server-3.properties',
      log: '/s/logs/kafka-3.log',
    });
  });

  it('reads the brokers of an older single-broker state file from its kafka entry', () => {
    const old = {dir: '/s', kafka: {pid: 7, port: 9092, controllerPort: 9093, log: '/s/logs/kafka.log'}};
    expect(brokersOf(old)).toEqual([
      {
        id: 1,
        pid: 7,
        port: 9092,
        controllerPort: 9093,
        log: '/s/logs/kafka.log',
        serverProperties: '/s/server.properties',
        dataDir: '/s/data',
      },
    ]);
    expect(() => brokerById(old, 2)).toThrow('has no broker 2 (its brokers: 1)');
  });

  it('accepts 1..5 brokers only', () => {
    expect(brokerCount(undefined)).toBe(1);
    expect(brokerCount('3')).toBe(3);
    for (const bad of ['0', '6', '2.5', 'three']) expect(() => brokerCount(bad)).toThrow(RangeError);
  });
});

describe('stack.js arguments', () => {
  it('parses up with --brokers (both spellings), --secure and --dir', () => {
    expect(parseStackArgs(['up', '--brokers', '3'], '.stack')).toEqual({
      command: 'up',
      dir: '.stack',
      secure: false,
      brokers: 3,
    });
    expect(parseStackArgs(['up', '--brokers=3', '--dir=/x', '--secure'], '.stack')).toMatchObject({
      brokers: 3,
      dir: '/x',
      secure: true,
    });
    expect(parseStackArgs(['up'], '.stack')).toMatchObject({brokers: 1});
  });

  it('parses broker stop|kill|start <id>', () => {
    expect(parseStackArgs(['broker', 'kill', '2', '--dir', '/x'], '.stack')).toEqual({
      command: 'broker',
      dir: '/x',
      action: 'kill',
      id: 2,
    });
    expect(parseStackArgs(['broker', 'start', '3'], '.stack')).toMatchObject({action: 'start', id: 3});
  });

  it('refuses what it does not know, saying what is wrong', () => {
    expect(parseStackArgs(['up', '--brokers', '9'], '.s')).toEqual({
      error: 'the number of brokers must be an integer 1..5, not 9',
    });
    expect(parseStackArgs(['down', '--brokers', '3'], '.s')).toEqual({error: 'unknown option --brokers'});
    expect(parseStackArgs(['broker', 'pause', '2'], '.s')).toEqual({
      error: 'broker needs stop, kill or start',
    });
    expect(parseStackArgs(['broker', 'stop'], '.s')).toEqual({error: 'broker needs a node id (1, 2, ...)'});
    expect(parseStackArgs(['broker', 'stop', '0'], '.s')).toEqual({
      error: 'broker needs a node id (1, 2, ...)',
    });
    expect(parseStackArgs(['sideways'], '.s')).toEqual({error: 'unknown command sideways'});
  });
});
