/**
 * Entry point: `main(process.argv)`. Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error
 * (a ConfigError prints every problem). Sets `process.exitCode` and resolves with it; never calls process.exit,
 * so output is flushed.
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

if (require.main === module) {
  endQuietlyOnClosedPipe(process.stdout, (code) => process.exit(code));
  void main(process.argv);
}
