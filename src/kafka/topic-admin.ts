import {ConfigResourceTypes, type Admin, type Kafka} from 'kafkajs';

import {CdcError} from '../errors';
import {describeError, hasErrorType, kafkajsRetriable} from './kafka-errors';
import type {
  DescribeTopicsReport,
  EnsureTopicsReport,
  KafkaLogger,
  TopicAdmin,
  TopicMismatch,
  TopicSpec,
} from './types';

/** Order-insensitive form of a cleanup.policy value ('delete,compact' equals 'compact,delete'). */
export function normalizeCleanupPolicy(value: string): string {
  return value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .sort()
    .join(',');
}

/** What differs between a spec and an existing topic (pure: the caller fetched partitions, RF and configs). */
export function compareTopic(
  spec: TopicSpec,
  actual: {partitions: number; replicationFactor: number; configs: Record<string, string | undefined>}
): TopicMismatch[] {
  const out: TopicMismatch[] = [];
  const push = (setting: string, expected: string, got: string | undefined) =>
    out.push({topic: spec.name, setting, expected, actual: got ?? '(unset)'});
  // -1 asks for the broker's default (KIP-464): whatever the broker chose is then right.
  if (spec.partitions !== BROKER_DEFAULT && actual.partitions !== spec.partitions)
    push('partitions', String(spec.partitions), String(actual.partitions));
  if (spec.replicationFactor !== BROKER_DEFAULT && actual.replicationFactor !== spec.replicationFactor) {
    push('replication.factor', String(spec.replicationFactor), String(actual.replicationFactor));
  }
  const policy = actual.configs['cleanup.policy'];
  if (policy === undefined || normalizeCleanupPolicy(policy) !== normalizeCleanupPolicy(spec.cleanupPolicy)) {
    push('cleanup.policy', spec.cleanupPolicy, policy);
  }
  for (const [name, expected] of Object.entries(spec.config ?? {})) {
    if (actual.configs[name] !== expected) push(name, expected, actual.configs[name]);
  }
  return out;
}

/** Partitions or replication factor -1: the broker's `num.partitions` / `default.replication.factor`. */
const BROKER_DEFAULT = -1;
const LEADER_WAIT_MS = 30_000;

function validate(specs: readonly TopicSpec[]): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const spec of specs) {
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(spec.name)) problems.push(`invalid topic name "${spec.name}"`);
    if (seen.has(spec.name)) problems.push(`topic "${spec.name}" listed twice`);
    seen.add(spec.name);
    if (!Number.isInteger(spec.partitions) || (spec.partitions < 1 && spec.partitions !== BROKER_DEFAULT))
      problems.push(`${spec.name}: partitions must be >= 1 or -1 (broker default)`);
    if (
      !Number.isInteger(spec.replicationFactor) ||
      (spec.replicationFactor < 1 && spec.replicationFactor !== BROKER_DEFAULT)
    ) {
      problems.push(`${spec.name}: replicationFactor must be >= 1 or -1 (broker default)`);
    }
  }
  if (problems.length > 0)
    throw new CdcError(`invalid topic specs: ${problems.join('; ')}`, {retriable: false});
}

/**
 * Creates missing topics and checks existing ones. Never alters an existing topic: more partitions would move
 * keys to other partitions and break per-key order, so differences are only reported (warn) for an operator.
 */
export class KafkajsTopicAdmin implements TopicAdmin {
  private admin: Admin | undefined;

  constructor(private readonly deps: {kafka: Kafka; logger: KafkaLogger}) {}

  async ensureTopics(specs: readonly TopicSpec[]): Promise<EnsureTopicsReport> {
    validate(specs);
    const report: EnsureTopicsReport = {created: [], existing: [], mismatches: []};
    if (specs.length === 0) return report;
    try {
      const admin = await this.connected();
      const present = new Set(await admin.listTopics());
      for (const spec of specs) {
        // One topic per request: kafkajs turns a mixed "some exist" answer into one failure for all (and then
        // skips waitForLeaders), while a lone TOPIC_ALREADY_EXISTS (a concurrent create) comes back as `false`.
        const created = !present.has(spec.name) && (await this.create(admin, spec));
        (created ? report.created : report.existing).push(spec.name);
      }
      if (report.existing.length > 0) {
        report.mismatches = await this.check(
          admin,
          specs.filter((s) => report.existing.includes(s.name))
        );
      }
    } catch (error) {
      if (error instanceof CdcError) throw error;
      throw new CdcError(`ensureTopics failed: ${describeError(error)}`, {
        retriable: kafkajsRetriable(error),
        cause: error,
      });
    }
    for (const m of report.mismatches) {
      this.deps.logger.warn(
        {topic: m.topic, setting: m.setting, expected: m.expected, actual: m.actual},
        `existing topic ${m.topic} differs from its spec (${m.setting}); left unchanged`
      );
    }
    if (report.created.length > 0) this.deps.logger.info({topics: report.created}, 'created topics');
    return report;
  }

  async describeTopics(specs: readonly TopicSpec[]): Promise<DescribeTopicsReport> {
    validate(specs);
    try {
      const admin = await this.connected();
      const present = new Set(await admin.listTopics());
      const existing = specs.filter((s) => present.has(s.name));
      return {
        existing: existing.map((s) => s.name),
        missing: specs.filter((s) => !present.has(s.name)).map((s) => s.name),
        mismatches: existing.length > 0 ? await this.check(admin, existing) : [],
      };
    } catch (error) {
      if (error instanceof CdcError) throw error;
      throw new CdcError(`describing topics failed: ${describeError(error)}`, {
        retriable: kafkajsRetriable(error),
        cause: error,
      });
    }
  }

  async partitionCount(topic: string): Promise<number> {
    try {
      const admin = await this.connected();
      const {topics} = await admin.fetchTopicMetadata({topics: [topic]});
      return topics[0]?.partitions.length ?? 0;
    } catch (error) {
      throw new CdcError(`reading the partitions of ${topic} failed: ${describeError(error)}`, {
        retriable: kafkajsRetriable(error),
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    if (admin) await admin.disconnect();
  }

  private async connected(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.deps.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }

  private async create(admin: Admin, spec: TopicSpec): Promise<boolean> {
    const configEntries = [
      {name: 'cleanup.policy', value: spec.cleanupPolicy},
      ...Object.entries(spec.config ?? {}).map(([name, value]) => ({name, value})),
    ];
    try {
      return await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: spec.name,
            numPartitions: spec.partitions,
            replicationFactor: spec.replicationFactor,
            configEntries,
          },
        ],
      });
    } catch (error) {
      if (hasErrorType(error, 'TOPIC_ALREADY_EXISTS')) return false;
      // kafkajs' own wait for leaders retries only LEADER_NOT_AVAILABLE; a busy broker's metadata can still say
      // UNKNOWN_TOPIC_OR_PARTITION right after the create succeeded (seen on a loaded 2-core machine).
      if (!hasErrorType(error, 'UNKNOWN_TOPIC_OR_PARTITION')) throw error;
      await this.waitForLeaders(admin, spec.name);
      return true;
    }
  }

  private async waitForLeaders(admin: Admin, topic: string): Promise<void> {
    const deadline = Date.now() + LEADER_WAIT_MS;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      try {
        const {topics} = await admin.fetchTopicMetadata({topics: [topic]});
        const partitions = topics[0]?.partitions ?? [];
        if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) return;
      } catch (error) {
        if (
          !hasErrorType(error, 'UNKNOWN_TOPIC_OR_PARTITION') &&
          !hasErrorType(error, 'LEADER_NOT_AVAILABLE')
        )
          throw error;
      }
      if (Date.now() + delay > deadline)
        throw new CdcError(`topic ${topic} has no leader ${LEADER_WAIT_MS / 1000} s after it was created`, {
          retriable: true,
        });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private async check(admin: Admin, specs: readonly TopicSpec[]): Promise<TopicMismatch[]> {
    const {topics} = await admin.fetchTopicMetadata({topics: specs.map((s) => s.name)});
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: specs.map((s) => ({type: ConfigResourceTypes.TOPIC, name: s.name})),
    });
    const mismatches: TopicMismatch[] = [];
    for (const spec of specs) {
      const meta = topics.find((t) => t.name === spec.name);
      const resource = described.resources.find((r) => r.resourceName === spec.name);
      const configs: Record<string, string> = {};
      for (const entry of resource?.configEntries ?? []) configs[entry.configName] = entry.configValue;
      mismatches.push(
        ...compareTopic(spec, {
          partitions: meta?.partitions.length ?? 0,
          replicationFactor: meta?.partitions[0]?.replicas.length ?? 0,
          configs,
        })
      );
    }
    return mismatches;
  }
}
