/**
 * How big a reliability run is: RELIABILITY_SIZE=ci (default: what `npm test` runs, sized to keep the whole CI
 * run under 30 minutes on 2 cores) or RELIABILITY_SIZE=nightly (more rounds and records; README "Reliability").
 */
export type ReliabilitySize = 'ci' | 'nightly';

export function reliabilitySize(): ReliabilitySize {
  const size = process.env.RELIABILITY_SIZE ?? 'ci';
  if (size !== 'ci' && size !== 'nightly')
    throw new Error(`RELIABILITY_SIZE must be ci or nightly, not ${size}`);
  return size;
}

/** The CI or the nightly figure, by the run's size. */
export function bySize<T>(ci: T, nightly: T): T {
  return reliabilitySize() === 'nightly' ? nightly : ci;
}

/** One line per case for the README table: `reliability: <case>: tried N, lost 0, doubled 0 (size)`. */
export function reportTries(name: string, tried: number, detail = ''): void {
  console.log(
    `reliability: ${name}: tried ${tried} (${reliabilitySize()} size)${detail ? `; ${detail}` : ''}`
  );
}
