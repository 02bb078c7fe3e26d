/**
 * TransactionPipeline: units commit in order, each with its events, state updates and dead letters together;
 * any unit left uncommitted surfaces as StateDivergedError (fencing as itself). The stubbed seams are the encoder
 * (BatchEncoder) and the Kafka sink (BatchSink).
 */
import {EncodeError, FencedError, RecordsRefusedError} from '../../../src/errors';
import {buildChangeEvent} from '../../../src/events';
import type {OutgoingMessage} from '../../../src/kafka';
import type {BatchEncoder, EncodedEvent, EncodeItem} from '../../../src/serde';
import {decodeRecordValue, recordStateMessage} from '../../../src/state';
import {StateDivergedError, TransactionPipeline, type BatchSink, type DiffOutput} from '../../../src/sync';
import {recordingSink, silent} from './harness';

const topics = {events: (c: string) => `t.${c}`, state: 't.state', deadLetters: 't.dlq'};
const context = {name: 't', version: 'test', collection: 'pins', adAccountId: null, syncId: 's'};

function output(id: number): DiffOutput {
  return {
    event: buildChangeEvent(context, {op: 'c', key: {id: String(id)}, after: {id: String(id)}, tsMs: 1}),
    state: {key: Buffer.from(`state-${id}`), value: Buffer.from('h')},
  };
}

/** Encodes an event as its id; `bad` ids give an EncodeError, `crash` makes the whole batch throw. */
function stubEncoder(options: {bad?: number[]; crash?: number} = {}): BatchEncoder {
  return {
    encodeBatch: async (items: readonly EncodeItem[]): Promise<EncodedEvent[]> =>
      items.map((item) => {
        const id = Number(item.event.key.id);
        if (id === options.crash) throw new TypeError('encoder bug');
        if (options.bad?.includes(id)) return {error: new EncodeError(`event ${id} does not fit`)};
        return {messages: [{key: Buffer.from(`key-${id}`), value: Buffer.from(`event-${id}`)}]};
      }),
    close: async () => {},
  };
}

function pipelineOf(
  encoder: BatchEncoder,
  sink: BatchSink,
  hooks: {onDeadLetter?: (reason: string) => void; onEncodeError?: () => void} = {}
) {
  return new TransactionPipeline({
    encoder,
    sink,
    topics,
    collection: 'pins',
    shard: 'user',
    syncId: 's',
    logger: silent,
    now: () => 0,
    retry: {maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1},
    onCommitted: () => {},
    onDeadLetter: hooks.onDeadLetter ?? (() => {}),
    onEncodeError: hooks.onEncodeError,
  });
}

async function submitUnits(pipeline: TransactionPipeline, units: number[][]): Promise<void> {
  for (const ids of units) {
    for (const id of ids) pipeline.add(output(id));
    await pipeline.submit();
  }
  await pipeline.drain();
}

const describeBatch = (batch: OutgoingMessage[]) => batch.map((m) => `${m.topic}:${m.key?.toString()}`);

describe('TransactionPipeline', () => {
  it('commits units in order, each event with its state update, a dead letter with the state it keeps', async () => {
    const {sink, committed} = recordingSink();
    await submitUnits(pipelineOf(stubEncoder({bad: [4]}), sink), [[1, 2], [3, 4], [5]]);
    expect(committed.map(describeBatch)).toEqual([
      ['t.pins:key-1', 't.state:state-1', 't.pins:key-2', 't.state:state-2'],
      ['t.pins:key-3', 't.state:state-3', 't.state:state-4', 't.dlq:{"collection":"pins","id":"4"}'],
      ['t.pins:key-5', 't.state:state-5'],
    ]);
  });

  it('an encoder failure leaves its unit and the later ones uncommitted: StateDivergedError', async () => {
    const {sink, committed} = recordingSink();
    const failure = submitUnits(pipelineOf(stubEncoder({crash: 3}), sink), [[1, 2], [3, 4], [5]]);
    await expect(failure).rejects.toBeInstanceOf(StateDivergedError);
    await expect(failure).rejects.toThrow(/2 pins change\(s\) of shard user were not committed: encoder bug/);
    expect(committed.map(describeBatch)).toEqual([
      ['t.pins:key-1', 't.state:state-1', 't.pins:key-2', 't.state:state-2'],
    ]);
  });

  it('reports fencing as FencedError, so that the service stops', async () => {
    const fenced = new FencedError('fenced');
    const failure = submitUnits(
      pipelineOf(stubEncoder(), {
        writeBatch: async () => {
          throw fenced;
        },
      }),
      [[1], [2]]
    );
    await expect(failure).rejects.toBe(fenced);
  });

  it('keeps at most two units in flight: the third waits until the first is committed', async () => {
    const releases: (() => void)[] = [];
    const sink: BatchSink = {writeBatch: () => new Promise<void>((resolve) => releases.push(resolve))};
    const pipeline = pipelineOf(stubEncoder(), sink);
    pipeline.add(output(1));
    await pipeline.submit();
    pipeline.add(output(2));
    let secondSubmitted = false;
    const second = pipeline.submit().then(() => (secondSubmitted = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(secondSubmitted).toBe(false);
    expect(releases).toHaveLength(1);
    releases[0]!();
    await second;
    expect(secondSubmitted).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    releases[1]!();
    await pipeline.drain();
  });

  it('dead-letters a record whose event Kafka refuses, with its state update, and commits the rest of the unit', async () => {
    const {sink, committed} = recordingSink();
    const attempts: string[][] = [];
    const refusing: BatchSink = {
      writeBatch: async (messages) => {
        attempts.push(describeBatch([...messages]));
        const index = messages.findIndex((m) => m.key?.toString() === 'key-3');
        if (index >= 0)
          throw new RecordsRefusedError([
            {index, reason: 'MESSAGE_TOO_LARGE', detail: 'a batch of 9000 bytes'},
          ]);
        await sink.writeBatch(messages);
      },
      batchLimit: async () => 1_000_000,
    };
    const reasons: string[] = [];
    await submitUnits(pipelineOf(stubEncoder({bad: [4]}), refusing, {onDeadLetter: (r) => reasons.push(r)}), [
      [1, 2],
      [3, 4, 5],
    ]);
    expect(attempts).toHaveLength(3);
    expect(committed.map(describeBatch)).toEqual([
      ['t.pins:key-1', 't.state:state-1', 't.pins:key-2', 't.state:state-2'],
      [
        't.state:state-3',
        't.dlq:{"collection":"pins","id":"3"}',
        't.state:state-4',
        't.dlq:{"collection":"pins","id":"4"}',
        't.pins:key-5',
        't.state:state-5',
      ],
    ]);
    const letter = JSON.parse(committed[1]![1]!.value!.toString()) as Record<string, unknown>;
    expect(letter).toMatchObject({
      reason: 'kafka_refused',
      error: {type: 'MESSAGE_TOO_LARGE', message: 'Kafka refused the record: a batch of 9000 bytes'},
      raw_json: '{"id":"3"}',
    });
    expect(reasons.sort()).toEqual(['encode', 'kafka_refused']);
  });

  it('a state update Kafka refuses goes without its image, with the dead letter of its record', async () => {
    const {sink, committed} = recordingSink();
    const withImage = recordStateMessage('pins', 'user', '7', {hashHi: 1, hashLo: 2}, 'x'.repeat(500));
    const big: DiffOutput = {...output(7), state: withImage};
    const refusing: BatchSink = {
      writeBatch: async (messages) => {
        const index = messages.findIndex((m) => m.topic === 't.state' && (m.value?.length ?? 0) > 100);
        if (index >= 0)
          throw new RecordsRefusedError([{index, reason: 'MESSAGE_TOO_LARGE', detail: 'state'}]);
        await sink.writeBatch(messages);
      },
    };
    const pipeline = pipelineOf(stubEncoder(), refusing);
    pipeline.add(output(1));
    pipeline.add(big);
    await pipeline.drain();
    const batch = committed[0]!;
    expect(describeBatch(batch)).toEqual([
      't.pins:key-1',
      't.state:state-1',
      `t.state:${withImage.key.toString()}`,
      't.dlq:{"collection":"pins","id":"7"}',
    ]);
    expect(decodeRecordValue(batch[2]!.value!)).toEqual({hashHi: 1, hashLo: 2, image: undefined});
  });

  it('a refused message that is not a record event (a marker) leaves the unit uncommitted', async () => {
    const failure = (async () => {
      const pipeline = pipelineOf(stubEncoder(), {
        writeBatch: async (messages) => {
          throw new RecordsRefusedError([
            {index: messages.length - 1, reason: 'INVALID_RECORD', detail: 'marker refused'},
          ]);
        },
      });
      pipeline.add(output(1));
      pipeline.addMessage({topic: 't.state', key: Buffer.from('marker'), value: Buffer.from('m')});
      await pipeline.drain();
    })();
    await expect(failure).rejects.toBeInstanceOf(StateDivergedError);
  });

  it('counts a record the encoder refuses once its dead letter is committed', async () => {
    const {sink} = recordingSink();
    let encodeErrors = 0;
    await submitUnits(
      pipelineOf(stubEncoder({bad: [2, 3]}), sink, {onEncodeError: () => (encodeErrors += 1)}),
      [[1, 2, 3]]
    );
    expect(encodeErrors).toBe(2);
  });
});
