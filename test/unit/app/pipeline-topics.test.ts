/** The topics a pipeline creates: one per configured collection, entity and analytics alike, plus its own. */
import {pipelineTopics} from '../../../src/app';
import {loadConfig} from '../../../src/config';

const ENV = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8080/apis/ccompat/v7',
  PINTEREST_ACCESS_TOKEN: 'pina.x',
  PINTEREST_CDC_TOPIC_PREFIX: 'acme',
};

describe('pipelineTopics', () => {
  it('creates a topic for every entity and analytics collection, then state and dead letters', () => {
    const config = loadConfig({
      env: {...ENV, PINTEREST_CDC_ANALYTICS__COLLECTIONS: 'ad_analytics,ad_account_analytics'},
    });
    const names = pipelineTopics(config).map((t) => t.name);
    for (const collection of [...config.sync.collections, 'ad_analytics', 'ad_account_analytics'])
      expect(names).toContain(`acme.${collection}`);
    expect(names).not.toContain('acme.campaign_analytics');
    expect(names).toEqual(expect.arrayContaining(['acme.state', 'acme.dlq']));
  });

  it('compacts the state topic whatever the event topics use', () => {
    const config = loadConfig({env: {...ENV, PINTEREST_CDC_KAFKA__CLEANUP_POLICY: 'delete'}});
    const byName = new Map(pipelineTopics(config).map((t) => [t.name, t]));
    expect(byName.get('acme.state')?.cleanupPolicy).toBe('compact');
    expect(byName.get('acme.campaign_analytics')?.cleanupPolicy).toBe('delete');
  });
});
