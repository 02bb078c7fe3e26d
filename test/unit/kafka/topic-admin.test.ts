import {compareTopic, normalizeCleanupPolicy} from '../../../src/kafka/topic-admin';

describe('topic comparison', () => {
  const spec = {
    name: 't',
    partitions: 3,
    replicationFactor: 1,
    cleanupPolicy: 'compact,delete' as const,
    config: {'retention.ms': '1000'},
  };

  it('treats cleanup.policy as an unordered set', () => {
    expect(normalizeCleanupPolicy('delete, compact')).toBe('compact,delete');
    expect(
      compareTopic(spec, {
        partitions: 3,
        replicationFactor: 1,
        configs: {'cleanup.policy': 'delete,compact', 'retention.ms': '1000'},
      })
    ).toEqual([]);
  });

  it('lists every difference', () => {
    expect(
      compareTopic(spec, {partitions: 1, replicationFactor: 3, configs: {'cleanup.policy': 'delete'}})
    ).toEqual([
      {topic: 't', setting: 'partitions', expected: '3', actual: '1'},
      {topic: 't', setting: 'replication.factor', expected: '1', actual: '3'},
      {topic: 't', setting: 'cleanup.policy', expected: 'compact,delete', actual: 'delete'},
      {topic: 't', setting: 'retention.ms', expected: '1000', actual: '(unset)'},
    ]);
  });
});
