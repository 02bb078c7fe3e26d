import {ConfigResourceTypes, type Kafka} from 'kafkajs';

import {describeError} from './kafka-errors';
import type {KafkaLogger} from './types';

/** The largest record batch each topic accepts, as far as known: how the writer avoids sending what Kafka refuses. */
export interface TopicLimits {
  /**
   * Per topic, the effective `max.message.bytes` (or `segment.bytes` if smaller: a batch larger than a segment is
   * refused too); undefined when it could not be read. Cached; `refresh` reads the topics again (their config
   * may have changed since).
   */
  batchLimits(
    topics: readonly string[],
    options?: {refresh?: boolean}
  ): Promise<Map<string, number | undefined>>;
}

const LIMIT_CONFIGS = ['max.message.bytes', 'segment.bytes'];

/**
 * Reads the limits with DescribeConfigs, which answers the effective value (the topic's override, else the
 * broker's `message.max.bytes`). A principal without DescribeConfigs on the topic gets no limit: the writer then
 * learns of an oversized record only when the broker refuses it (said once in the log).
 */
export class KafkajsTopicLimits implements TopicLimits {
  private readonly known = new Map<string, number | undefined>();
  private warned = false;

  constructor(private readonly deps: {kafka: Kafka; logger: KafkaLogger}) {}

  async batchLimits(
    topics: readonly string[],
    options: {refresh?: boolean} = {}
  ): Promise<Map<string, number | undefined>> {
    const missing = options.refresh
      ? [...new Set(topics)]
      : [...new Set(topics)].filter((t) => !this.known.has(t));
    if (missing.length > 0) await this.read(missing);
    return new Map(topics.map((t) => [t, this.known.get(t)]));
  }

  private async read(topics: string[]): Promise<void> {
    const admin = this.deps.kafka.admin();
    try {
      await admin.connect();
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({
          type: ConfigResourceTypes.TOPIC,
          name,
          configNames: LIMIT_CONFIGS,
        })),
      });
      for (const topic of topics) {
        const entries = described.resources.find((r) => r.resourceName === topic)?.configEntries ?? [];
        const values = entries
          .filter((e) => LIMIT_CONFIGS.includes(e.configName))
          .map((e) => Number(e.configValue))
          .filter((n) => Number.isSafeInteger(n) && n > 0);
        this.known.set(topic, values.length > 0 ? Math.min(...values) : undefined);
      }
    } catch (error) {
      for (const topic of topics) if (!this.known.has(topic)) this.known.set(topic, undefined);
      if (!this.warned) {
        this.warned = true;
        this.deps.logger.warn(
          {topics, err: describeError(error)},
          'Cannot read max.message.bytes of the topics; a record too large for them is found when Kafka refuses it'
        );
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
