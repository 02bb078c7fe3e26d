import {EncodeError} from '../errors';
import type {NestedTexts} from '../events/canonical-json';
import type {ChangeEvent} from '../events/change-event';
import type {EncodedMessage, EventSerializer} from './event-serializer';

/** One event's outcome: its messages (the event, plus a tombstone for `d`), or why it cannot be encoded. */
export type EncodedEvent = {readonly messages: readonly EncodedMessage[]} | {readonly error: EncodeError};

/** An event to encode, with what the differ already computed for it. */
export interface EncodeItem {
  readonly event: ChangeEvent;
  /** Canonical texts of `event.after`'s nested members, reused for its JSON-string fields. */
  readonly afterNested?: NestedTexts | null;
}

/** Encodes a batch of change events (the seam TransactionPipeline is tested through). */
export interface BatchEncoder {
  encodeBatch(items: readonly EncodeItem[]): Promise<EncodedEvent[]>;
  close(): Promise<void>;
}

/**
 * Events encoded between two yields to the event loop: about half a millisecond of work, so that the Kafka
 * client's responses for the transaction in flight are handled while the next batch is being encoded.
 */
const EVENTS_PER_SLICE = 64;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Encodes on the calling thread in slices, yielding between them: a transaction spends about a third of its time
 * waiting for the broker (coordinator lookups, AddPartitionsToTxn, produce, EndTxn), and the next batch's encoding
 * fills those gaps instead of delaying the writer by a whole batch.
 */
export class InlineBatchEncoder implements BatchEncoder {
  constructor(private readonly serializer: EventSerializer) {}

  async encodeBatch(items: readonly EncodeItem[]): Promise<EncodedEvent[]> {
    const encoded: EncodedEvent[] = [];
    for (let start = 0; start < items.length; start += EVENTS_PER_SLICE) {
      if (start > 0) await yieldToEventLoop();
      const end = Math.min(items.length, start + EVENTS_PER_SLICE);
      for (let i = start; i < end; i++) {
        const item = items[i]!;
        encoded.push(encodeOne(this.serializer, item.event, item.afterNested));
      }
    }
    return encoded;
  }

  async close(): Promise<void> {}
}

export function encodeOne(
  serializer: EventSerializer,
  event: ChangeEvent,
  afterNested?: NestedTexts | null
): EncodedEvent {
  try {
    return {messages: serializer.toMessages(event, afterNested)};
  } catch (error) {
    if (error instanceof EncodeError) return {error};
    throw error;
  }
}
