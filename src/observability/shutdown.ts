/**
 * Graceful shutdown: on the first SIGTERM/SIGINT (or `trigger()`), mark the service not ready, run the
 * registered closers in registration order within a deadline, then exit 0; exit 1 when the deadline passes or
 * a closer fails. Later signals are logged and ignored (the deadline bounds the wait).
 */
export type Closer = () => Promise<void> | void;

export interface ShutdownLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ShutdownOptions {
  deadlineMs: number;
  logger?: ShutdownLogger;
  /** Called first (e.g. readiness.block('shutdown', 'shutting down')). */
  onBegin?: () => void;
  /** Default `process.exit`. */
  exit?: (code: number) => void;
  /** Where signals come from (default `process`). */
  signalSource?: {
    on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
    off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  };
  signals?: readonly NodeJS.Signals[];
}

export interface Shutdown {
  /** Adds a closer; closers run in the order they were added. */
  register(name: string, closer: Closer): void;
  /** Starts shutting down (as a signal would); resolves with the exit code once done. */
  trigger(reason?: string): Promise<number>;
  /** True once shutdown started. */
  readonly started: boolean;
  /** Removes the signal handlers (tests, or a command that finished on its own). */
  dispose(): void;
}

export function installShutdown(options: ShutdownOptions): Shutdown {
  const closers: {name: string; close: Closer}[] = [];
  const source = options.signalSource ?? process;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let running: Promise<number> | undefined;

  const runClosers = async (): Promise<number> => {
    let code = 0;
    for (const {name, close} of closers) {
      try {
        await close();
      } catch (error) {
        code = 1;
        options.logger?.error({closer: name, err: error}, 'closer failed during shutdown');
      }
    }
    return code;
  };

  const trigger = (reason = 'requested'): Promise<number> => {
    if (running) {
      options.logger?.warn({reason}, 'already shutting down');
      return running;
    }
    options.logger?.info({reason, deadline_ms: options.deadlineMs}, 'shutting down');
    options.onBegin?.();
    running = (async () => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<number>((resolve) => {
        timer = setTimeout(() => {
          options.logger?.error({deadline_ms: options.deadlineMs}, 'shutdown deadline passed');
          resolve(1);
        }, options.deadlineMs);
        timer.unref?.();
      });
      const code = await Promise.race([runClosers(), deadline]);
      clearTimeout(timer);
      dispose();
      if (code === 0) options.logger?.info({}, 'shutdown complete');
      exit(code);
      return code;
    })();
    return running;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    void trigger(signal);
  };
  for (const signal of signals) source.on(signal, onSignal);
  function dispose(): void {
    for (const signal of signals) source.off(signal, onSignal);
  }

  return {
    register(name, close) {
      closers.push({name, close});
    },
    trigger,
    get started() {
      return running !== undefined;
    },
    dispose,
  };
}
