import {types, type Schema, type Type} from 'avsc';

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` (UTC) to days since the epoch, or undefined when the text is not a real date. */
export function isoDateToDays(text: string): number | undefined {
  const match = ISO_DATE.exec(text);
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const days = ms / DAY_MS;
  return daysToIsoDate(days) === text ? days : undefined;
}

export function daysToIsoDate(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Remembers what a few thousand date texts convert to: analytics events carry a date in the key and in both
 * images, the same few dozen dates converted millions of times a cycle, and the check formats each date back.
 */
export class DateMemo {
  private readonly days = new Map<string, number | undefined>();

  constructor(private readonly limit = 4096) {}

  daysOf(text: string): number | undefined {
    if (this.days.has(text)) return this.days.get(text);
    const days = isoDateToDays(text);
    if (this.days.size >= this.limit) this.days.clear();
    this.days.set(text, days);
    return days;
  }
}

/** Avro `date` (int days) carried in JS as the `YYYY-MM-DD` text the API uses. */
export class IsoDateType extends types.LogicalType {
  private memo: DateMemo | undefined;

  protected override _fromValue(value: unknown): string {
    return daysToIsoDate(value as number);
  }

  protected override _toValue(value: unknown): number | undefined {
    return typeof value === 'string' ? (this.memo ??= new DateMemo()).daysOf(value) : undefined;
  }

  protected override _resolve(type: Type): ((value: unknown) => unknown) | undefined {
    if (type.typeName === 'int' || (type as {logicalTypeName?: string}).logicalTypeName === 'date') {
      return (value) => this._fromValue(value);
    }
    return undefined;
  }
}

export const LOGICAL_TYPES: Record<string, new (schema: Schema, opts?: object) => types.LogicalType> = {
  date: IsoDateType as unknown as new (schema: Schema, opts?: object) => types.LogicalType,
};
