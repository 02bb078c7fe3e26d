import {EncodeError} from '../errors';
import type {ChangeEvent} from '../events/change-event';
import type {EncodedMessage, EventSerializer} from './event-serializer';

/** One event's outcome: its messages (the event, plus a tombstone for `d`), or why it cannot be encoded. */
export type EncodedEvent = {readonly messages: readonly EncodedMessage[]} | {readonly error: EncodeError};

/**
 * An event to encode, with the canonical JSON texts of its images when the caller already has them (the differ
 * does): an encoder on another thread then sends those instead of serialising the records again.
 */
export interface EncodeItem {
  readonly event: ChangeEvent;
  readonly afterJson?: string;
  readonly beforeJson?: string;
}

/** Encodes a batch of change events; implemented on the calling thread or on a worker thread. */
export interface BatchEncoder {
  encodeBatch(items: readonly EncodeItem[]): Promise<EncodedEvent[]>;
  close(): Promise<void>;
}

/** Encodes on the calling thread (tests, tools, and one-core machines). */
export class InlineBatchEncoder implements BatchEncoder {
  constructor(private readonly serializer: EventSerializer) {}

  async encodeBatch(items: readonly EncodeItem[]): Promise<EncodedEvent[]> {
    return items.map((item) => encodeOne(this.serializer, item.event));
  }

  async close(): Promise<void> {}
}

export function encodeOne(serializer: EventSerializer, event: ChangeEvent): EncodedEvent {
  try {
    return {messages: serializer.toMessages(event)};
  } catch (error) {
    if (error instanceof EncodeError) return {error};
    throw error;
  }
}
