export {main} from './main';
export {createProgram, COMMANDS} from './program';
export type {RegisterCommand} from './program';
export {createContext, parseSetFlags, packageVersion} from './context';
export type {CliContext, CliIo, GlobalOptions, Writable} from './context';
export {EXIT_OK, EXIT_FAILURE, EXIT_USAGE} from './exit-codes';
