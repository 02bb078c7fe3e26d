import {readAll} from '../kafka/helpers';

/** A dead letter as `<prefix>.dlq` carries it (src/sync/dead-letter.ts). */
export interface DeadLetter {
  collection: string;
  reason: string;
  key: Record<string, string> | null;
  error: {type: string; message: string};
  raw_json: string;
}

/** Every committed dead letter of a topic prefix, read by a plain read_committed consumer. */
export async function readDeadLetters(prefix: string): Promise<DeadLetter[]> {
  return (await readAll(`${prefix}.dlq`, {readUncommitted: false})).map(
    (record) => JSON.parse(record.value!) as DeadLetter
  );
}
