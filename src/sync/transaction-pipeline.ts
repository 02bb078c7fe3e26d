import {RecordsRefusedError, type RefusedRecord} from '../errors';
import type {OutgoingMessage} from '../kafka';
import type {EncodedEvent, BatchEncoder} from '../serde';
import {recordValueWithoutImage} from '../state';
import {commitWithRetry, notCommitted, type CommitRetryPolicy} from './batch-committer';
import {deadLetterMessage, type DeadLetterInput, type DeadLetterReason} from './dead-letter';
import type {DiffOutput} from './differ';
import type {BatchSink, SyncLogger, SyncTopics} from './ports';

export interface CommittedUnit {
  /** Change events committed, by op. */
  readonly events: ReadonlyMap<string, number>;
  readonly deadLetters: number;
}

export interface TransactionPipelineDeps {
  readonly encoder: BatchEncoder;
  readonly sink: BatchSink;
  readonly topics: SyncTopics;
  readonly collection: string;
  readonly shard: string;
  readonly syncId: string;
  readonly logger: SyncLogger;
  readonly now: () => number;
  readonly retry?: CommitRetryPolicy;
  readonly onCommitted: (unit: CommittedUnit) => void;
  /** A dead letter of a diff output (encode error, Kafka refusal), once committed. */
  readonly onDeadLetter: (reason: DeadLetterReason) => void;
  /** A record that could not be Avro-encoded, once its dead letter is committed. */
  readonly onEncodeError?: () => void;
}

/** A dead letter the listing found (e.g. a record without a usable key); built when its unit is written. */
export type ListingDeadLetter = Pick<DeadLetterInput, 'reason' | 'error' | 'record' | 'key'>;

interface Unit {
  readonly outputs: DiffOutput[];
  readonly extra: OutgoingMessage[];
  readonly deadLetters: ListingDeadLetter[];
}

/** Which diff output a message of a batch carries, and as what. */
interface Origin {
  readonly output: number;
  readonly part: 'event' | 'state';
}

interface Batch {
  readonly messages: OutgoingMessage[];
  /** Per message: its diff output, or undefined for markers and the listing's dead letters. */
  readonly origins: (Origin | undefined)[];
  readonly events: Map<string, number>;
  readonly letters: {output: DiffOutput; reason: DeadLetterReason; message: string}[];
}

/** Batches in flight at once: one being written while the next is encoded (and the one after diffed). */
const MAX_IN_FLIGHT = 2;

/**
 * Turns diff outputs into transactions, in order: each unit starts encoding as soon as it is cut (in slices, see
 * InlineBatchEncoder), and is written once it is encoded and the unit before it is committed. So the next unit's
 * encoding fills the main thread while the writer waits for the broker, and a unit's events always commit with
 * the state updates that record them.
 *
 * A record whose event cannot be written is dead-lettered in its unit, with its state update: one the encoder
 * refuses, and one Kafka refuses (RecordsRefusedError: too large for its topic, say), after which the unit is
 * sent again without that event. If it is the state update Kafka refuses, it goes without its image.
 */
export class TransactionPipeline {
  private unit: Unit = emptyUnit();
  private readonly inFlight: Promise<void>[] = [];
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly deps: TransactionPipelineDeps) {}

  /** Diff outputs (events) in the unit being built. */
  get size(): number {
    return this.unit.outputs.length;
  }

  add(output: DiffOutput): void {
    this.unit.outputs.push(output);
  }

  /** A message that needs no encoding (a shard marker), committed with the current unit. */
  addMessage(message: OutgoingMessage): void {
    this.unit.extra.push(message);
  }

  /** A dead letter committed with the current unit (sized to fit the dead-letter topic when written). */
  addDeadLetter(letter: ListingDeadLetter): void {
    this.unit.deadLetters.push(letter);
  }

  /** Cuts the current unit and starts it; waits while too many units are in flight. */
  async submit(): Promise<void> {
    const unit = this.unit;
    if (unit.outputs.length === 0 && unit.extra.length === 0 && unit.deadLetters.length === 0) return;
    this.unit = emptyUnit();
    const encoded = this.deps.encoder.encodeBatch(unit.outputs);
    encoded.catch(() => undefined); // surfaced through the chain below
    const previous = this.tail;
    // Whatever stops a unit (an encoder bug or an earlier unit's failure as much as its commit), its changes are
    // already in the in-memory state: notCommitted says what that means to the service.
    const done = previous
      .then(async () => this.write(unit, await encoded))
      .catch((error: unknown) => {
        const {collection, shard} = this.deps;
        throw notCommitted(
          error,
          `${unit.outputs.length} ${collection} change(s) of shard ${shard} were not committed`
        );
      });
    done.catch(() => undefined); // awaited below or by drain(); never an unhandled rejection meanwhile
    this.tail = done;
    this.inFlight.push(done);
    if (this.inFlight.length >= MAX_IN_FLIGHT) await this.inFlight.shift();
  }

  /** Submits what is left and waits until every unit is committed (rethrows the first failure). */
  async drain(): Promise<void> {
    await this.submit();
    await this.tail;
    this.inFlight.length = 0;
  }

  private async write(unit: Unit, encoded: EncodedEvent[]): Promise<void> {
    const {sink, logger, collection, shard} = this.deps;
    const hasLetters = unit.deadLetters.length > 0 || encoded.some((e) => 'error' in e);
    let dlqLimit = hasLetters ? await sink.batchLimit?.(this.deps.topics.deadLetters) : undefined;
    const refused = new Map<number, RefusedRecord & {part: Origin['part']}>();
    for (;;) {
      const batch = this.assemble(unit, encoded, refused, dlqLimit);
      try {
        await commitWithRetry(sink, batch.messages, {logger, retry: this.deps.retry});
      } catch (error) {
        if (!(error instanceof RecordsRefusedError)) throw error;
        for (const r of error.refused) {
          const origin = batch.origins[r.index];
          // A refused marker or dead letter, or a state update refused even without its image: nothing left to
          // take out of the batch (the unit stays uncommitted).
          if (!origin || refused.get(origin.output)?.part === 'state') throw error;
          refused.set(origin.output, {...r, part: origin.part});
        }
        dlqLimit ??= await sink.batchLimit?.(this.deps.topics.deadLetters);
        continue;
      }
      for (const letter of batch.letters) {
        if (letter.reason === 'encode') this.deps.onEncodeError?.();
        this.deps.onDeadLetter(letter.reason);
        logger.warn(
          {collection, shard, key: letter.output.event.key, reason: letter.reason, err: letter.message},
          'Record dead-lettered'
        );
      }
      this.deps.onCommitted({events: batch.events, deadLetters: batch.letters.length});
      return;
    }
  }

  /** The unit's messages: events with their state updates, dead letters in place of what cannot be written. */
  private assemble(
    unit: Unit,
    encoded: EncodedEvent[],
    refused: ReadonlyMap<number, RefusedRecord & {part: Origin['part']}>,
    dlqLimit: number | undefined
  ): Batch {
    const {topics, collection} = this.deps;
    const batch: Batch = {messages: [], origins: [], events: new Map(), letters: []};
    const push = (message: OutgoingMessage, origin?: Origin) => {
      batch.messages.push(message);
      batch.origins.push(origin);
    };
    unit.outputs.forEach((output, i) => {
      const refusal = refused.get(i);
      const state = {
        topic: topics.state,
        key: output.state.key,
        value:
          refusal?.part === 'state' && output.state.value !== null
            ? recordValueWithoutImage(output.state.value)
            : output.state.value,
      };
      const result = encoded[i];
      if (result && 'messages' in result && !refusal) {
        for (const m of result.messages)
          push({topic: topics.events(collection), key: m.key, value: m.value}, {output: i, part: 'event'});
        push(state, {output: i, part: 'state'});
        batch.events.set(output.event.op, (batch.events.get(output.event.op) ?? 0) + 1);
        return;
      }
      // The state update still goes out with the dead letter: the dead letter is the record's trace, and without
      // it a restart would re-emit what the in-memory state already holds.
      const error = refusal
        ? {type: refusal.reason, message: `Kafka refused the record: ${refusal.detail}`}
        : result && 'error' in result
          ? result.error
          : new Error('no encoding result');
      const reason: DeadLetterReason = refusal ? 'kafka_refused' : 'encode';
      push(state, {output: i, part: 'state'});
      push(
        this.deadLetter(
          {reason, error, record: output.event.after ?? output.event.before ?? {}, key: output.event.key},
          dlqLimit
        )
      );
      batch.letters.push({output, reason, message: error.message});
    });
    for (const message of unit.extra) push(message);
    for (const letter of unit.deadLetters) push(this.deadLetter(letter, dlqLimit));
    return batch;
  }

  private deadLetter(letter: ListingDeadLetter, dlqLimit: number | undefined): OutgoingMessage {
    const {topics, collection, shard, syncId} = this.deps;
    return deadLetterMessage(
      {...letter, topic: topics.deadLetters, collection, shard, syncId, nowMs: this.deps.now()},
      dlqLimit
    );
  }
}

function emptyUnit(): Unit {
  return {outputs: [], extra: [], deadLetters: []};
}
