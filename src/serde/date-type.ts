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

/** Avro `date` (int days) carried in JS as the `YYYY-MM-DD` text the API uses. */
export class IsoDateType extends types.LogicalType {
  protected override _fromValue(value: unknown): string {
    return daysToIsoDate(value as number);
  }

  protected override _toValue(value: unknown): number | undefined {
    return typeof value === 'string' ? isoDateToDays(value) : undefined;
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
