import type {OutgoingMessage, TransactionalWriter} from '../kafka';

/**
 * A task's writer: its state records go to the task's own partition of the state topic (whatever their key
 * hashes to), so the task's state is exactly that partition; events and dead letters keep their key's partition.
 * A message that names its partition keeps it (the relayout's tombstones of records left elsewhere).
 */
export function pinStateRecords(
  writer: TransactionalWriter,
  stateTopic: string,
  partition: number
): TransactionalWriter {
  const pin = (message: OutgoingMessage): OutgoingMessage =>
    message.topic === stateTopic && message.partition === undefined ? {...message, partition} : message;
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
