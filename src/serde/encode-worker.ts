/**
 * Worker-thread side of WorkerBatchEncoder: builds its own schema catalog and serializer from the collection
 * names and registered ids, then answers each batch (events as one JSON string) with all encoded messages packed
 * in one transferred buffer plus a small index, so nothing large is cloned on the way back.
 */
import {parentPort, workerData} from 'node:worker_threads';

import {CollectionRegistry} from '../collections';
import type {ChangeEvent} from '../events/change-event';
import {encodeOne} from './batch-encoder';
import {EventSerializer, type SubjectIds} from './event-serializer';
import {SchemaCatalog} from './schema-catalog';

export interface EncodeWorkerData {
  readonly collections: readonly string[];
  readonly ids: readonly [string, SubjectIds][];
  readonly avroDir?: string;
}

export interface EncodeRequest {
  readonly id: number;
  readonly events: string;
}

/** Per event: `[keyStart, keyEnd, valueStart, valueEnd]` per message (value -1/-1 = tombstone), or an error. */
export type PackedEvent = {m: number[][]} | {e: string};

export interface EncodeResponse {
  readonly id: number;
  readonly bytes: ArrayBuffer;
  readonly events: PackedEvent[];
}

function startWorker(port: NonNullable<typeof parentPort>, data: EncodeWorkerData): void {
  const registry = new CollectionRegistry();
  const catalog = new SchemaCatalog({
    collections: data.collections.map((name) => registry.get(name)),
    ...(data.avroDir ? {avroDir: data.avroDir} : {}),
  });
  const serializer = new EventSerializer(catalog, new Map(data.ids));
  port.on('message', (request: EncodeRequest) => {
    const events = JSON.parse(request.events) as ChangeEvent[];
    const parts: Buffer[] = [];
    let size = 0;
    const place = (buffer: Buffer): [number, number] => {
      parts.push(buffer);
      size += buffer.length;
      return [size - buffer.length, size];
    };
    const packed: PackedEvent[] = events.map((event) => {
      const outcome = encodeOne(serializer, event);
      if ('error' in outcome) return {e: outcome.error.message};
      return {m: outcome.messages.map((m) => [...place(m.key), ...(m.value ? place(m.value) : [-1, -1])])};
    });
    // allocUnsafeSlow: a buffer of its own, never a slice of Node's shared pool, so it can be transferred.
    const bytes = Buffer.allocUnsafeSlow(size);
    let offset = 0;
    for (const part of parts) offset += part.copy(bytes, offset);
    const response: EncodeResponse = {id: request.id, bytes: bytes.buffer as ArrayBuffer, events: packed};
    port.postMessage(response, [response.bytes]);
  });
}

if (parentPort) startWorker(parentPort, workerData as EncodeWorkerData);
