/**
 * When the sink has caught up: its consumer group (connect-<connector>) has committed, for every partition, the
 * offset after the partition's last committed record. Connect commits a sink's offsets only after the task
 * flushed the records it was given (here every second: offset.flush.interval.ms in scripts/downstream), so by
 * then the rows are written. Not the partition's end offset: Connect commits "last record + 1", and in a
 * transactional topic the end is a transaction marker, which a consumer skips but never counts.
 */
import {setTimeout as sleep} from 'node:timers/promises';

import type {Admin} from 'kafkajs';

import type {ConnectorStatus} from '../../../scripts/downstream';
import {readCommitted} from '../helpers/committed-events';

/** `topic:partition` -> the offset after its last committed record (tombstones included). */
export async function recordEnds(options: {
  brokers: string[];
  registryUrl: string;
  topics: readonly string[];
}): Promise<Map<string, number>> {
  const ends = new Map<string, number>();
  for (const m of await readCommitted({...options, topics: [...options.topics]})) {
    const id = `${m.topic}:${m.partition}`;
    ends.set(id, Math.max(ends.get(id) ?? 0, Number(m.offset) + 1));
  }
  return ends;
}

/** `topic:partition` -> records the group has not committed yet; only partitions with some left. */
async function behind(
  admin: Admin,
  groupId: string,
  ends: ReadonlyMap<string, number>
): Promise<Record<string, number>> {
  const topics = [...new Set([...ends.keys()].map((id) => id.slice(0, id.lastIndexOf(':'))))];
  const committed = await admin.fetchOffsets({groupId, topics});
  const left: Record<string, number> = {};
  for (const [id, end] of ends) {
    const topic = id.slice(0, id.lastIndexOf(':'));
    const partition = Number(id.slice(id.lastIndexOf(':') + 1));
    const done = Number(
      committed.find((c) => c.topic === topic)?.partitions.find((p) => p.partition === partition)?.offset ??
        -1
    );
    if (done < end) left[id] = end - Math.max(done, 0);
  }
  return left;
}

/**
 * Waits until the group has committed every record end; fails early, with the task's trace, when the connector
 * or a task FAILED.
 * @returns ms waited
 */
export async function waitForSink(options: {
  admin: Admin;
  groupId: string;
  ends: ReadonlyMap<string, number>;
  status: () => Promise<ConnectorStatus | undefined>;
  timeoutMs: number;
}): Promise<number> {
  const started = Date.now();
  for (;;) {
    const status = await options.status();
    const failed = status && [status.connector, ...status.tasks].find((s) => s.state === 'FAILED');
    if (failed) throw new Error(`the JDBC sink FAILED:\n${failed.trace ?? '(no trace)'}`);
    const left = await behind(options.admin, options.groupId, options.ends);
    if (Object.keys(left).length === 0) return Date.now() - started;
    if (Date.now() - started > options.timeoutMs) {
      throw new Error(
        `the JDBC sink did not catch up within ${options.timeoutMs} ms; records left: ${JSON.stringify(left)}; ` +
          `connector status: ${JSON.stringify(status)}`
      );
    }
    await sleep(500);
  }
}
