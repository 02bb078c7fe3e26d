/**
 * Parsers for command-line flag values. They throw commander's InvalidArgumentError, which commander reports as
 * `option '--flag <value>' argument 'x' is invalid. <why>` before any command runs (exit 2).
 */
import {InvalidArgumentError} from 'commander';

import {coerce, type Setting} from '../config';

/** A whole number from `min` to `max` (no sign, no fraction, no exponent). */
export function integerFlag(min: number, max: number): (value: string) => number {
  return (value) => {
    const trimmed = value.trim();
    const n = Number(trimmed);
    if (!/^-?\d+$/.test(trimmed) || n < min || n > max) {
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

/** A flag that sets one setting: parsed and validated by that setting's own schema (its bounds live there). */
export function settingFlag<T>(setting: Setting<T>): (value: string) => T {
  return (value) => {
    const coerced = coerce(setting.kind, value);
    if (!coerced.ok) throw new InvalidArgumentError(coerced.problem);
    const result = setting.schema.safeParse(coerced.value);
    if (!result.success) {
      throw new InvalidArgumentError([...new Set(result.error.issues.map((i) => i.message))].join('; '));
    }
    return result.data;
  };
}
