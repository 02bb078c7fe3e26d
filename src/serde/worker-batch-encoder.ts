import {join} from 'node:path';
import {Worker} from 'node:worker_threads';

import {CdcError, EncodeError} from '../errors';
import type {BatchEncoder, EncodedEvent, EncodeItem} from './batch-encoder';
import type {EncodeRequest, EncodeResponse, EncodeWorkerData} from './encode-worker';

/**
 * Encodes batches on a worker thread, so that Avro encoding (as costly as the Kafka write itself) runs on the
 * second core while the main thread diffs and writes the previous batch. Events cross as one JSON string:
 * native JSON.stringify is far cheaper on the main thread than structured-cloning the record objects.
 */
export class WorkerBatchEncoder implements BatchEncoder {
  private readonly worker: Worker;
  private readonly pending = new Map<number, {resolve(r: EncodeResponse): void; reject(e: Error): void}>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(data: EncodeWorkerData) {
    const fromSources = __filename.endsWith('.ts');
    this.worker = new Worker(join(__dirname, fromSources ? 'encode-worker.ts' : 'encode-worker.js'), {
      workerData: data,
      // From a source checkout (tests, `PINTEREST_CDC_FROM_SOURCE`) the worker compiles TypeScript as it loads.
      execArgv: fromSources ? ['-r', '@swc-node/register'] : [],
    });
    this.worker.on('message', (response: EncodeResponse) => {
      this.pending.get(response.id)?.resolve(response);
      this.pending.delete(response.id);
    });
    const fail = (error: Error) => {
      this.failure = new CdcError(`The Avro encoding worker failed: ${error.message}`, {
        retriable: false,
        cause: error,
      });
      for (const {reject} of this.pending.values()) reject(this.failure);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`exited with code ${code}`));
    });
  }

  async encodeBatch(items: readonly EncodeItem[]): Promise<EncodedEvent[]> {
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    const response = await new Promise<EncodeResponse>((resolve, reject) => {
      this.pending.set(id, {resolve, reject});
      const request: EncodeRequest = {id, events: `[${items.map(eventJson).join(',')}]`};
      this.worker.postMessage(request);
    });
    const bytes = Buffer.from(response.bytes);
    const slice = (start: number, end: number) => bytes.subarray(start, end);
    return response.events.map((packed): EncodedEvent => {
      if ('e' in packed) return {error: new EncodeError(packed.e)};
      return {
        messages: packed.m.map(([ks = 0, ke = 0, vs = -1, ve = -1]) => ({
          key: slice(ks, ke),
          value: vs < 0 ? null : slice(vs, ve),
        })),
      };
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/** The event as JSON, with the images' canonical texts spliced in where known (no second serialisation). */
function eventJson(item: EncodeItem): string {
  const {before, after, ...rest} = item.event;
  const beforeText = item.beforeJson ?? JSON.stringify(before);
  const afterText = item.afterJson ?? JSON.stringify(after);
  return `${JSON.stringify(rest).slice(0, -1)},"before":${beforeText},"after":${afterText}}`;
}
