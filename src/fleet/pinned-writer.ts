import type {OutgoingMessage, TransactionalWriter} from '../kafka';

/**
 * Header of every state record a task commits: the owner token of the task's current holder (the token of its
 * ownership claim, src/kafka/ownership.ts). Reading a partition in order shows each handover: a token that gave
 * way never comes back (the fleet test checks exactly that), and the claims say which process each token was.
 */
export const OWNER_HEADER = 'pinterest-cdc-owner';

/**
 * A task's writer: its state records go to the task's own partition of the state topic (whatever their key
 * hashes to), so the task's state is exactly that partition; events and dead letters keep their key's partition.
 * A message that names its partition keeps it (the relayout's tombstones of records left elsewhere).
 */
export function pinStateRecords(
  writer: TransactionalWriter,
  stateTopic: string,
  partition: number,
  /** Written as the OWNER_HEADER of every state record: which taking of the task committed it. */
  owner: string
): TransactionalWriter {
  const pin = (message: OutgoingMessage): OutgoingMessage =>
    message.topic === stateTopic
      ? {
          ...message,
          partition: message.partition ?? partition,
          headers: {...message.headers, [OWNER_HEADER]: owner},
        }
      : message;
  return {
    get transactionalId() {
      return writer.transactionalId;
    },
    init: () => writer.init(),
    writeBatch: (messages) => writer.writeBatch(messages.map(pin)),
    batchLimit: (topic) => writer.batchLimit(topic),
    close: () => writer.close(),
  };
}
