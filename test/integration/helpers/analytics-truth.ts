/**
 * Analytics rows as the sandbox's truth has them and as the topics end up, in one comparable form: key text
 * ("<collection> <key values>", dates as YYYY-MM-DD) -> the metric figures by API column name.
 */
import {analyticsColumn} from '../../../src/collections';
import {addDays} from '../../../src/pinterest/dates';
import type {RunningSandbox} from '../../../src/sandbox';
import type {ConsumedMessage} from './committed-events';

export interface AnalyticsView {
  collectionOf(m: ConsumedMessage): string;
  keyText(collection: string, key: Record<string, unknown>): string;
  /** an event image's figures, by API column name (nulls left out) */
  figures(image: Record<string, unknown> | null): Record<string, unknown>;
  /** the truth of every collection over [startDate, endDate] */
  truth(): Map<string, Record<string, unknown>>;
  /** the topics' last image per key (a `d` or a tombstone removes it) */
  lastImages(messages: readonly ConsumedMessage[]): Map<string, Record<string, unknown>>;
}

export function analyticsView(options: {
  sandbox: RunningSandbox;
  adAccountId: string;
  prefix: string;
  collections: readonly string[];
  columns: readonly string[];
  startDate: string;
  endDate: string;
}): AnalyticsView {
  const {sandbox, adAccountId, prefix, collections, columns, startDate, endDate} = options;
  const dateText = (value: unknown) =>
    typeof value === 'number' ? addDays('1970-01-01', value) : String(value);
  const keyText = (collection: string, key: Record<string, unknown>) =>
    `${collection} ${Object.entries(key)
      .map(([k, v]) => (k === 'date' ? dateText(v) : String(v)))
      .join(' ')}`;
  const figures = (image: Record<string, unknown> | null): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const name of columns) {
      const value = image?.[analyticsColumn(name)!.field];
      if (value !== null && value !== undefined) out[name] = value;
    }
    return out;
  };
  const mapRow = (row: Record<string, unknown>) =>
    Object.fromEntries(
      columns.filter((c) => row[c] !== undefined).map((c) => [analyticsColumn(c)!.field, row[c]])
    );
  const collectionOf = (m: ConsumedMessage) => m.topic.slice(prefix.length + 1);
  return {
    collectionOf,
    keyText,
    figures,
    truth() {
      const out = new Map<string, Record<string, unknown>>();
      for (const collection of collections) {
        const {items} = sandbox.control.analyticsTruth({
          collection: collection as never,
          adAccountId,
          startDate,
          endDate,
          columns: [...columns],
        });
        for (const item of items) out.set(keyText(collection, item.key), figures(mapRow(item.row)));
      }
      return out;
    },
    lastImages(messages) {
      const out = new Map<string, Record<string, unknown>>();
      for (const m of messages) {
        const key = keyText(collectionOf(m), m.key);
        const value = m.value as {op: string; after: Record<string, unknown> | null} | null;
        if (value === null || value.op === 'd') out.delete(key);
        else out.set(key, figures(value.after));
      }
      return out;
    },
  };
}
