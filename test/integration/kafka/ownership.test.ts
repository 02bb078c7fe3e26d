/**
 * Ownership claims on a real broker: a newer instance's claim makes the older one stop at its next ownership
 * check (after the broker aborted its transaction), while a writer whose epoch was bumped and whose claim is still
 * the newest goes on. (A transaction aborted on timeout is exercised end to end with a paused broker in
 * test/integration/e2e-pause.)
 */
import {
  FencedError,
  OwnerIdentity,
  TransactionAbortedByBrokerError,
  type OutgoingMessage,
} from '../../../src/kafka';
import {ownerClaimKey} from '../../../src/state';
import {randomTopic, readAll, useConnection} from './helpers';

const msg = (topic: string, key: string, value: string): OutgoingMessage => ({
  topic,
  key: Buffer.from(key),
  value: Buffer.from(value),
});

describe('transactional id ownership (real broker)', () => {
  const kafka = useConnection();

  it('the newer instance keeps the id; the older stops at its check; a lone writer survives an epoch bump', async () => {
    const events = randomTopic('events');
    const state = randomTopic('state');
    await kafka.connection.topicAdmin().ensureTopics([
      {name: events, partitions: 1, replicationFactor: 1, cleanupPolicy: 'delete'},
      {name: state, partitions: 3, replicationFactor: 1, cleanupPolicy: 'compact'},
    ]);
    const transactionalId = `it-owner-${events}`;
    const writerOf = (owner: OwnerIdentity) =>
      kafka.connection.transactionalWriter({
        transactionalId,
        ownership: kafka.connection.stateTopicOwnership({
          topic: state,
          claimKey: ownerClaimKey(transactionalId),
          transactionalId,
          owner,
        }),
      });

    const older = writerOf(new OwnerIdentity());
    await older.writeBatch([msg(events, 'k', 'older-1')]);
    const newer = writerOf(new OwnerIdentity());
    await newer.init(); // claims, then fences the older one

    await expect(older.writeBatch([msg(events, 'k', 'older-2')])).rejects.toBeInstanceOf(
      TransactionAbortedByBrokerError
    );
    const stopped = older.writeBatch([msg(events, 'k', 'older-3')]);
    await expect(stopped).rejects.toBeInstanceOf(FencedError);
    await expect(stopped).rejects.toThrow(/another instance took transactional id/);

    await newer.writeBatch([msg(events, 'k', 'newer-1')]);
    // A lone writer whose epoch was bumped (here by a plain producer of the same id, as the coordinator does
    // when a transaction times out) finds its own claim the newest and goes on.
    const bumper = kafka.connection.transactionalWriter({transactionalId});
    await bumper.init();
    await bumper.close();
    await expect(newer.writeBatch([msg(events, 'k', 'lost')])).rejects.toBeInstanceOf(
      TransactionAbortedByBrokerError
    );
    await newer.writeBatch([msg(events, 'k', 'newer-2')]);

    expect((await readAll(events, {readUncommitted: false})).map((r) => r.value)).toEqual([
      'older-1',
      'newer-1',
      'newer-2',
    ]);
    await older.close();
    await newer.close();
  });
});
