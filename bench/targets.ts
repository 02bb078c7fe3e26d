/**
 * The one shape in which a benchmark hands its targets to `npm run bench` (bench/run.ts): one line on stdout,
 * `BENCH_TARGET {json}`, per target. Each figure is a ratio (or count) measured in the same run as its baseline;
 * the runner decides met / not met from `op` and `limit`, so a bench never has to agree with it on wording.
 */
export const TARGET_MARK = 'BENCH_TARGET ';

export interface TargetResult {
  /** Stable id the runner's registry expects, e.g. `differ.bytes-per-record`. */
  readonly id: string;
  /** What is measured, as the closing list prints it. */
  readonly label: string;
  readonly value: number;
  readonly op: '<=' | '>=';
  readonly limit: number;
  /** How the figure was obtained (numerator / denominator, sizes), for the list of missed targets. */
  readonly detail?: string;
}

/** Prints the target line; the bench's own table stays as it is. */
export function reportTarget(target: TargetResult): void {
  process.stdout.write(`${TARGET_MARK}${JSON.stringify(target)}\n`);
}

export function isMet(target: TargetResult): boolean {
  if (!Number.isFinite(target.value)) return false;
  // No rounding: 1,001 requests for a minimum of 1,000 is a miss even where a table prints 1.00.
  return target.op === '<=' ? target.value <= target.limit : target.value >= target.limit;
}

/** The target on a line, or undefined when the line is not a target line (or not a valid one). */
export function parseTargetLine(line: string): TargetResult | undefined {
  if (!line.startsWith(TARGET_MARK)) return undefined;
  try {
    const parsed = JSON.parse(line.slice(TARGET_MARK.length)) as Partial<TargetResult>;
    if (
      typeof parsed.id !== 'string' ||
      typeof parsed.label !== 'string' ||
      typeof parsed.value !== 'number' ||
      (parsed.op !== '<=' && parsed.op !== '>=') ||
      typeof parsed.limit !== 'number'
    )
      return undefined;
    return parsed as TargetResult;
  } catch {
    return undefined;
  }
}
