/**
 * Entry point: `main(process.argv)`. Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error
 * (a ConfigError prints every problem). Sets `process.exitCode` and resolves with it; never calls process.exit,
 * so output is flushed. `runAsProcess` is the process around it: a closed stdout pipe ends it quietly, and
 * whatever still holds the process 5 s after the command ended is named and ended.
 */
import {CommanderError} from 'commander';

import {ConfigError} from '../errors';
import {createContext, type CliIo} from './context';
import {EXIT_FAILURE, EXIT_OK, EXIT_USAGE} from './exit-codes';
import {createProgram} from './program';

const defaultIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdin: process.stdin,
});

export async function main(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  const code = await run(argv, io);
  process.exitCode = code;
  return code;
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = createProgram(createContext(io));
  try {
    await program.parseAsync([...argv]);
    return EXIT_OK;
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: CliIo): number {
  if (error instanceof ConfigError) {
    io.stderr.write(`${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help / version).
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`error: ${message}\n`);
  return EXIT_FAILURE;
}

/**
 * `pinterest-cdc schemas print | head`: the reader closing the pipe ends the command quietly, as it ends a Unix
 * tool (SIGPIPE), instead of an unhandled EPIPE with a stack trace. Other stdout errors stay loud.
 */
export function endQuietlyOnClosedPipe(stdout: NodeJS.WritableStream, exit: (code: number) => void): void {
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    exit(EXIT_OK);
  });
}

/** What bin/ prints when something outlives a finished command (the reliability harness looks for it). */
export const STILL_OPEN_AFTER_COMMAND = 'still open 5 s after the command ended';

/** The process entry (bin/pinterest-cdc.js, or this file run directly). */
export function runAsProcess(argv: readonly string[]): void {
  endQuietlyOnClosedPipe(process.stdout, (code) => process.exit(code));
  void main(argv).then(exitIfStillOpen);
}

interface ActiveHandle {
  remoteAddress?: string;
  remotePort?: number;
  _handle?: {hasRef?: () => boolean};
}

/**
 * The command is over: Node exits once nothing is left to do. Something still open 5 s later (a client library
 * reconnecting after its shutdown, say) would keep the process, and a Kubernetes pod, alive until SIGKILL: name it
 * and exit. unref(): this timer alone keeps nothing alive.
 */
function exitIfStillOpen(code: number): void {
  setTimeout(() => {
    // Sockets by peer through an undocumented but long-standing API, counting only those that hold the process
    // (an idle keep-alive socket does not); the other resources by kind.
    const handles =
      (process as unknown as {_getActiveHandles?: () => ActiveHandle[]})._getActiveHandles?.() ?? [];
    const sockets = handles
      .filter((h) => h?.remotePort && h._handle?.hasRef?.() !== false)
      .map((h) => `TCP to ${h.remoteAddress}:${h.remotePort}`);
    const others = process.getActiveResourcesInfo().filter((r) => r !== 'TCPSocketWrap');
    const open = [...sockets, ...others].join(', ') || 'timers';
    process.stderr.write(`pinterest-cdc: exiting ${code}; ${STILL_OPEN_AFTER_COMMAND}: ${open}\n`);
    process.exit(code);
  }, 5000).unref();
}

if (require.main === module) runAsProcess(process.argv);
