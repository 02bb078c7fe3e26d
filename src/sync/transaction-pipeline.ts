import type {OutgoingMessage} from '../kafka';
import type {BatchEncoder} from '../serde';
import {commitWithRetry, notCommitted, type CommitRetryPolicy} from './batch-committer';
import {deadLetterMessage} from './dead-letter';
import type {EncodeItem} from '../serde';
import type {ChangelogMessage} from '../state';
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
  readonly onDeadLetter: (reason: 'encode') => void;
}

/**
 * A change event and the changelog record that remembers it (a DiffOutput), or none: an analytics row older than
 * the restatement window is emitted once and never kept.
 */
export interface PipelineOutput extends EncodeItem {
  readonly state: ChangelogMessage | null;
}

interface Unit {
  readonly outputs: PipelineOutput[];
  readonly extra: OutgoingMessage[];
}

/** Batches in flight at once: one being written while the next is encoded (and the one after diffed). */
const MAX_IN_FLIGHT = 2;

/**
 * Turns diff outputs into transactions, in order: each unit starts encoding as soon as it is cut (in slices, see
 * InlineBatchEncoder), and is written once it is encoded and the unit before it is committed. So the next unit's
 * encoding fills the main thread while the writer waits for the broker, and a unit's events always commit with
 * the state updates that record them.
 */
export class TransactionPipeline {
  private unit: Unit = {outputs: [], extra: []};
  private readonly inFlight: Promise<void>[] = [];
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly deps: TransactionPipelineDeps) {}

  /** Diff outputs (events) in the unit being built. */
  get size(): number {
    return this.unit.outputs.length;
  }

  add(output: PipelineOutput): void {
    this.unit.outputs.push(output);
  }

  /** A message that needs no encoding (a dead letter, a shard marker), committed with the current unit. */
  addMessage(message: OutgoingMessage): void {
    this.unit.extra.push(message);
  }

  /** Cuts the current unit and starts it; waits while too many units are in flight. */
  async submit(): Promise<void> {
    const unit = this.unit;
    if (unit.outputs.length === 0 && unit.extra.length === 0) return;
    this.unit = {outputs: [], extra: []};
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

  private async write(unit: Unit, encoded: Awaited<ReturnType<BatchEncoder['encodeBatch']>>): Promise<void> {
    const {topics, collection} = this.deps;
    const messages: OutgoingMessage[] = [];
    const events = new Map<string, number>();
    let deadLetters = 0;
    unit.outputs.forEach((output, i) => {
      const state = output.state && {topic: topics.state, key: output.state.key, value: output.state.value};
      const result = encoded[i];
      if (result && 'messages' in result) {
        for (const m of result.messages)
          messages.push({topic: topics.events(collection), key: m.key, value: m.value});
        if (state) messages.push(state);
        events.set(output.event.op, (events.get(output.event.op) ?? 0) + 1);
        return;
      }
      // The state update still goes out with the dead letter: the dead letter is the record's trace, and without
      // it a restart would re-emit what the in-memory state already holds.
      if (state) messages.push(state);
      messages.push(
        deadLetterMessage({
          topic: topics.deadLetters,
          collection,
          shard: this.deps.shard,
          syncId: this.deps.syncId,
          reason: 'encode',
          error: result?.error ?? new Error('no encoding result'),
          record: output.event.after ?? output.event.before ?? {},
          key: output.event.key,
          nowMs: this.deps.now(),
        })
      );
      deadLetters += 1;
      this.deps.onDeadLetter('encode');
      this.deps.logger.warn(
        {collection, shard: this.deps.shard, key: output.event.key, err: result?.error.message},
        'Record dead-lettered'
      );
    });
    messages.push(...unit.extra);
    await commitWithRetry(this.deps.sink, messages, {logger: this.deps.logger, retry: this.deps.retry});
    this.deps.onCommitted({events, deadLetters});
  }
}
