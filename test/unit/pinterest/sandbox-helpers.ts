/** Shared setup for the "done when" tests and the benchmark: a sandbox and clients on one (fast) clock. */
import {startSandbox, type RunningSandbox, type SandboxOptions} from '../../../src/sandbox';
import {
  MemoryTokenStore,
  PinterestClient,
  resolveClientConfig,
  type Logger,
  type RequestHooks,
  type TokenStore,
} from '../../../src/pinterest';

export const ALL_STATUSES = ['ACTIVE', 'PAUSED', 'ARCHIVED', 'DRAFT', 'DELETED_DRAFT'];

/** A clock running `speed` times faster than real time, and a sleep on it. */
export function fastTime(speed: number) {
  const t0 = Date.now();
  return {
    clock: {now: () => t0 + (Date.now() - t0) * speed},
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms / speed))),
  };
}

export async function sandboxWithClock(speed: number, options: SandboxOptions = {}) {
  const time = fastTime(speed);
  const sandbox = await startSandbox({now: time.clock.now, ...options});
  return {sandbox, time};
}

export function clientFor(
  sandbox: RunningSandbox,
  opts: {
    store?: TokenStore;
    time?: ReturnType<typeof fastTime>;
    config?: Partial<Parameters<typeof resolveClientConfig>[0]>;
    hooks?: RequestHooks;
    logger?: Logger;
  } = {}
): PinterestClient {
  return new PinterestClient({
    config: resolveClientConfig({
      ...sandbox.credentials,
      apiBaseUrl: sandbox.baseUrl,
      retry: {maxRetries: 8, baseDelayMs: 5, maxDelayMs: 50, maxElapsedMs: 60_000, maxRateLimitRetries: 20},
      ...opts.config,
    }),
    tokenStore: opts.store ?? new MemoryTokenStore(),
    clock: opts.time?.clock,
    sleep: opts.time?.sleep,
    hooks: opts.hooks,
    logger: opts.logger,
  });
}

export async function listAll<T>(
  client: PinterestClient,
  req: Parameters<PinterestClient['paginate']>[0]
): Promise<T[]> {
  const out: T[] = [];
  for await (const page of client.paginate<T>(req)) out.push(...page);
  return out;
}

export const sortedIds = (records: Array<{id?: unknown}>): string[] =>
  records.map((r) => String(r.id)).sort();
