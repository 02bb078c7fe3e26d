/** Reproducible random choices for the crash tests: the seed is printed, CRASH_SEED=<n> repeats a run's choices. */
export function crashSeed(): number {
  return Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
}

/** xorshift32: integers in [min, max] from a seed (timing aside, a run's kill points repeat with its seed). */
export function seededRandomInt(seed: number): (min: number, max: number) => number {
  let state = seed >>> 0 || 1;
  return (min, max) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return min + (state % (max - min + 1));
  };
}
