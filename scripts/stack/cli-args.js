'use strict';
/** The command line of scripts/stack/stack.js, parsed (kept apart from stack.js so it can be unit tested). */
const {brokerCount} = require('./brokers');

const USAGE =
  'usage: node scripts/stack/stack.js up [--brokers N] [--secure] | down | status | broker stop|kill|start <id>' +
  '  [--dir <state dir>]';

/**
 * @typedef {{command: 'up', dir: string, secure: boolean, brokers: number}
 *   | {command: 'down' | 'status', dir: string}
 *   | {command: 'broker', dir: string, action: 'stop' | 'kill' | 'start', id: number}} StackCommand
 */

/**
 * @param {string[]} argv the arguments after the script
 * @param {string} defaultDir STACK_DIR or .stack
 * @returns {StackCommand | {error: string}}
 */
function parseStackArgs(argv, defaultDir) {
  const [command, ...rest] = argv;
  let dir = defaultDir;
  let secure = false;
  let brokers = 1;
  /** @type {string[]} */
  const positional = [];
  try {
    for (let i = 0; i < rest.length; i++) {
      const arg = /** @type {string} */ (rest[i]);
      const [name, inline] =
        arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
      const value = () => inline ?? rest[++i];
      if (name === '--dir') dir = value() || dir;
      else if (name === '--secure' && command === 'up' && inline === undefined) secure = true;
      else if (name === '--brokers' && command === 'up') brokers = brokerCount(value());
      else if (!arg.startsWith('--')) positional.push(arg);
      else return {error: `unknown option ${arg}`};
    }
  } catch (error) {
    return {error: error instanceof Error ? error.message : String(error)};
  }
  switch (command) {
    case 'up':
      return positional.length ? {error: `unexpected ${positional[0]}`} : {command, dir, secure, brokers};
    case 'down':
    case 'status':
      return positional.length ? {error: `unexpected ${positional[0]}`} : {command, dir};
    case 'broker': {
      const [action, id] = positional;
      if (action !== 'stop' && action !== 'kill' && action !== 'start')
        return {error: 'broker needs stop, kill or start'};
      if (!id || !/^[1-9]\d*$/.test(id) || positional.length !== 2)
        return {error: 'broker needs a node id (1, 2, ...)'};
      return {command, dir, action, id: Number(id)};
    }
    default:
      return {error: command ? `unknown command ${command}` : 'no command'};
  }
}

module.exports = {parseStackArgs, USAGE};
