import {ConfigResourceTypes} from 'kafkajs';

import {ProduceError, type TopicSpec} from '../../../src/kafka';
import {randomTopic, rawKafka, useConnection} from './helpers';

async function describeTopic(topic: string): Promise<{partitions: number; configs: Record<string, string>}> {
  const admin = rawKafka().admin();
  await admin.connect();
  try {
    const {topics} = await admin.fetchTopicMetadata({topics: [topic]});
    const {resources} = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{type: ConfigResourceTypes.TOPIC, name: topic}],
    });
    const configs: Record<string, string> = {};
    for (const e of resources[0]?.configEntries ?? []) configs[e.configName] = e.configValue;
    return {partitions: topics[0]?.partitions.length ?? 0, configs};
  } finally {
    await admin.disconnect();
  }
}

describe('TopicAdmin.ensureTopics (real broker)', () => {
  const kafka = useConnection();
  const logger = kafka.logger;

  it('creates compacted topics with the requested partitions and configs, then is idempotent', async () => {
    const state = randomTopic('state');
    const events = randomTopic('events');
    const specs: TopicSpec[] = [
      {
        name: state,
        partitions: 3,
        replicationFactor: 1,
        cleanupPolicy: 'compact',
        config: {'min.compaction.lag.ms': '0'},
      },
      {name: events, partitions: 2, replicationFactor: 1, cleanupPolicy: 'compact,delete'},
    ];
    const admin = kafka.connection.topicAdmin();

    const first = await admin.ensureTopics(specs);
    expect(first).toEqual({created: [state, events], existing: [], mismatches: []});
    const described = await describeTopic(state);
    expect(described.partitions).toBe(3);
    expect(described.configs['cleanup.policy']).toBe('compact');
    expect(described.configs['min.compaction.lag.ms']).toBe('0');
    const eventsDescribed = await describeTopic(events);
    expect(eventsDescribed.partitions).toBe(2);
    expect(eventsDescribed.configs['cleanup.policy']?.split(',').sort()).toEqual(['compact', 'delete']);

    const second = await admin.ensureTopics(specs);
    expect(second).toEqual({created: [], existing: [state, events], mismatches: []});
  });

  it('reports (warns about) an existing topic whose partitions or cleanup policy differ, leaving it as is', async () => {
    const topic = randomTopic('drift');
    const admin = kafka.connection.topicAdmin();
    await admin.ensureTopics([{name: topic, partitions: 1, replicationFactor: 1, cleanupPolicy: 'delete'}]);

    const report = await admin.ensureTopics([
      {name: topic, partitions: 4, replicationFactor: 1, cleanupPolicy: 'compact'},
    ]);
    expect(report.created).toEqual([]);
    expect(report.mismatches).toEqual([
      {topic, setting: 'partitions', expected: '4', actual: '1'},
      {topic, setting: 'cleanup.policy', expected: 'compact', actual: 'delete'},
    ]);
    const warnings = logger.lines.filter((l) => l.level === 'warn' && l.fields.topic === topic);
    expect(warnings.map((w) => w.fields.setting)).toEqual(['partitions', 'cleanup.policy']);
    expect((await describeTopic(topic)).partitions).toBe(1);
  });

  it('tolerates a concurrent create of the same topic (TOPIC_ALREADY_EXISTS)', async () => {
    const topic = randomTopic('race');
    const spec: TopicSpec = {name: topic, partitions: 2, replicationFactor: 1, cleanupPolicy: 'compact'};
    // Separate admins (as separate processes would be): both see the topic missing, both create it.
    const reports = await Promise.all([
      kafka.connection.topicAdmin().ensureTopics([spec]),
      kafka.connection.topicAdmin().ensureTopics([spec]),
      kafka.connection.topicAdmin().ensureTopics([spec]),
    ]);
    const created = reports.flatMap((r) => r.created);
    const existing = reports.flatMap((r) => r.existing);
    expect(created).toEqual([topic]);
    expect(created.length + existing.length).toBe(3);
    expect(reports.flatMap((r) => r.mismatches)).toEqual([]);
    expect((await describeTopic(topic)).partitions).toBe(2);
  });

  it('rejects invalid specs before talking to the broker, listing every problem', async () => {
    await expect(
      kafka.connection
        .topicAdmin()
        .ensureTopics([{name: 'bad name', partitions: 0, replicationFactor: 1, cleanupPolicy: 'compact'}])
    ).rejects.toThrow(/invalid topic name "bad name".*partitions must be >= 1/);
  });
});

describe('TopicAdmin.describeTopics and RecordWriter (real broker)', () => {
  const kafka = useConnection();

  it('says what exists and how it differs, creating nothing', async () => {
    const present = randomTopic('present');
    const absent = randomTopic('absent');
    const admin = kafka.connection.topicAdmin();
    await admin.ensureTopics([{name: present, partitions: 1, replicationFactor: 1, cleanupPolicy: 'delete'}]);
    const report = await admin.describeTopics([
      {name: present, partitions: 2, replicationFactor: 1, cleanupPolicy: 'compact'},
      {name: absent, partitions: 1, replicationFactor: 1, cleanupPolicy: 'compact'},
    ]);
    await admin.close();
    expect(report.existing).toEqual([present]);
    expect(report.missing).toEqual([absent]);
    expect(report.mismatches.map((m) => m.setting)).toEqual(['partitions', 'cleanup.policy']);
    const raw = rawKafka().admin();
    await raw.connect();
    expect(await raw.listTopics()).not.toContain(absent);
    await raw.disconnect();
  });

  it('writes keyed records without a transaction, and never creates the topic it writes to', async () => {
    const topic = randomTopic('plain');
    const admin = kafka.connection.topicAdmin();
    await admin.ensureTopics([{name: topic, partitions: 1, replicationFactor: 1, cleanupPolicy: 'compact'}]);
    await admin.close();
    const writer = kafka.connection.recordWriter();
    await writer.write([{topic, key: Buffer.from('default'), value: Buffer.from('v1')}]);
    await writer.write([{topic, key: Buffer.from('default'), value: Buffer.from('v2')}]);
    const read = [];
    for await (const r of kafka.connection.changelogReader().readToEnd(topic)) read.push(r.value?.toString());
    expect(read).toEqual(['v1', 'v2']);

    const missing = randomTopic('never-created');
    await expect(
      writer.write([{topic: missing, key: Buffer.from('k'), value: Buffer.from('v')}])
    ).rejects.toBeInstanceOf(ProduceError);
    const raw = rawKafka().admin();
    await raw.connect();
    expect(await raw.listTopics()).not.toContain(missing);
    await raw.disconnect();
  });
});
