/** The topics of a configuration: one per collection, the state changelog, dead letters, the token store. */
import {topicOf} from '../collections';
import {configuredCollections, type AppConfig} from '../config';
import type {TopicSpec} from '../kafka';
import type {SyncTopics} from '../sync';
import {tokenTopicSpec} from './token-storage';

export function syncTopics(prefix: string): SyncTopics {
  return {
    events: (collection) => topicOf(prefix, {name: collection}),
    state: `${prefix}.state`,
    deadLetters: `${prefix}.dlq`,
  };
}

/** The partitions a new state topic gets: the fleet's tasks (an existing topic keeps its own count). */
export function configuredTaskCount(config: AppConfig): number {
  return config.fleet.tasks || config.kafka.partitions;
}

/** The topics a pipeline of this configuration writes, as it creates them when missing. */
export function pipelineTopics(config: AppConfig): TopicSpec[] {
  const topics = syncTopics(config.kafka.topicPrefix);
  const spec = (name: string, cleanupPolicy: TopicSpec['cleanupPolicy']): TopicSpec => ({
    name,
    partitions: config.kafka.partitions,
    replicationFactor: config.kafka.replicationFactor,
    cleanupPolicy,
  });
  return [
    ...configuredCollections(config).map((name) => spec(topics.events(name), config.kafka.cleanupPolicy)),
    // The changelog must be compacted whatever the event topics use: it is the state. Its partitions are the
    // fleet's tasks (README "Scaling").
    {...spec(topics.state, 'compact'), partitions: configuredTaskCount(config)},
    spec(topics.deadLetters, 'delete'),
    ...(config.pinterest.tokenStore === 'kafka' ? [tokenTopicSpec(config)] : []),
  ];
}
