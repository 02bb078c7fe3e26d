/** The worker-thread encoder gives exactly the bytes of the inline one, and reports bad records per event. */
import {CollectionRegistry} from '../../../src/collections';
import {EncodeError} from '../../../src/errors';
import {buildChangeEvent, canonicalJson} from '../../../src/events';
import {EventSerializer, InlineBatchEncoder, SchemaCatalog, WorkerBatchEncoder} from '../../../src/serde';

describe('WorkerBatchEncoder', () => {
  const campaigns = new CollectionRegistry().get('campaigns');
  const ids = new Map([['campaigns', {keyId: 11, valueId: 12}]]);
  const inline = new InlineBatchEncoder(
    new EventSerializer(new SchemaCatalog({collections: [campaigns]}), ids)
  );
  let worker: WorkerBatchEncoder;
  beforeAll(() => {
    worker = new WorkerBatchEncoder({collections: ['campaigns'], ids: [...ids]});
  });
  afterAll(() => worker.close());

  const context = {
    name: 'p',
    version: 't',
    collection: 'campaigns',
    adAccountId: '549755885175',
    syncId: 's',
  };
  const campaign = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    ad_account_id: '549755885175',
    name: `Campaign ${id}`,
    status: 'ACTIVE',
    daily_spend_cap: 25_000_000,
    created_time: 1_700_000_000,
    updated_time: 1_700_000_100,
    tracking_urls: {impression: ['https://t.example/i']},
    is_top_of_search: true,
    ...extra,
  });
  const key = (id: string) => ({ad_account_id: '549755885175', id});

  it('encodes byte for byte like the inline encoder, tombstones included', async () => {
    const events = [
      buildChangeEvent(context, {op: 'r', key: key('1001'), after: campaign('1001'), tsMs: 1}),
      buildChangeEvent(context, {
        op: 'u',
        key: key('1002'),
        before: campaign('1002'),
        after: campaign('1002', {status: 'ARCHIVED'}),
        changedFields: ['status'],
        tsMs: 2,
      }),
      buildChangeEvent(context, {op: 'd', key: key('1003'), before: campaign('1003'), tsMs: 3}),
    ];
    const items = events.map((event) => ({event}));
    const fromWorker = await worker.encodeBatch(items);
    const fromInline = await inline.encodeBatch(items);
    expect(fromWorker).toEqual(fromInline);
    // With the images' canonical texts handed over (as the differ does), the bytes are the same.
    const withTexts = events.map((event) => ({
      event,
      ...(event.after ? {afterJson: canonicalJson(event.after)} : {}),
      ...(event.before ? {beforeJson: canonicalJson(event.before)} : {}),
    }));
    expect(await worker.encodeBatch(withTexts)).toEqual(fromInline);
    expect(fromWorker[2]).toMatchObject({messages: [{value: expect.any(Buffer)}, {value: null}]});
  });

  it('returns an EncodeError for the bad record only, and keeps working', async () => {
    const events = [
      buildChangeEvent(context, {op: 'c', key: key('2001'), after: campaign('2001'), tsMs: 1}),
      buildChangeEvent(context, {
        op: 'c',
        key: key('2002'),
        after: campaign('2002', {daily_spend_cap: 'ten'}),
        tsMs: 1,
      }),
    ];
    const [good, bad] = await worker.encodeBatch(events.map((event) => ({event})));
    expect(good).toHaveProperty('messages');
    expect(bad).toHaveProperty('error');
    expect((bad as {error: Error}).error).toBeInstanceOf(EncodeError);
    expect((bad as {error: Error}).error.message).toMatch(/daily_spend_cap/);
    await expect(worker.encodeBatch([{event: events[0]!}])).resolves.toHaveLength(1);
  });
});
