'use strict';
/**
 * Detached child processes and how to stop them safely: a process is only ever signalled after its command
 * line has been checked to carry this stack's marker, so a recycled PID never gets killed by mistake.
 */
const {setTimeout: sleep} = require('node:timers/promises');
const {spawn, spawnSync} = require('node:child_process');
const fs = require('node:fs');

const {StackError} = require('./errors');

/**
 * Starts a command in its own process group (session), output appended to `logFile`, not waited for.
 * @param {string} command
 * @param {string[]} args
 * @param {{logFile: string, cwd?: string, env?: NodeJS.ProcessEnv, uid?: number, gid?: number}} options
 *   uid/gid: run as that user (root only; PostgreSQL refuses to run as root)
 * @returns {number} the PID (also the process group id)
 */
function spawnDetached(command, args, options) {
  const fd = fs.openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
      uid: options.uid,
      gid: options.gid,
    });
    child.on('error', (error) =>
      fs.appendFileSync(options.logFile, `\n[stack] spawn failed: ${error.message}\n`)
    );
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * True when the PID exists and is not a zombie.
 * @param {number} pid
 */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EPERM') return false;
  }
  const stat = readProcStat(pid);
  return stat === undefined || stat.state !== 'Z';
}

/**
 * @param {number} pid
 * @returns {{state: string, pgrp: number} | undefined} undefined where /proc does not exist (macOS)
 */
function readProcStat(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp ...": comm may contain spaces and parentheses, so cut after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {state: fields[0] ?? '', pgrp: Number(fields[2])};
  } catch {
    return undefined;
  }
}

/**
 * The command line of a live process, or undefined.
 * @param {number} pid
 */
function commandLine(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    if (fs.existsSync('/proc/self')) return undefined;
    const ps = spawnSync('ps', ['-o', 'command=', '-p', String(pid)], {encoding: 'utf8'});
    return ps.status === 0 ? ps.stdout.trim() : undefined;
  }
}

/**
 * True when the process is alive and its command line contains `marker`.
 * @param {number | undefined} pid
 * @param {string} marker
 */
function isOurs(pid, marker) {
  if (!pid || !isAlive(pid)) return false;
  const cmd = commandLine(pid);
  return cmd !== undefined && cmd.includes(marker);
}

/**
 * PIDs of live processes whose command line contains `marker` (Linux: /proc; elsewhere: ps).
 * @param {string} marker
 * @returns {number[]}
 */
function findProcesses(marker) {
  /** @type {number[]} */
  const pids = [];
  if (fs.existsSync('/proc/self')) {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      if (pid === process.pid) continue;
      const cmd = commandLine(pid);
      if (cmd !== undefined && cmd.includes(marker) && isAlive(pid)) pids.push(pid);
    }
    return pids;
  }
  const ps = spawnSync('ps', ['-axo', 'pid=,command='], {encoding: 'utf8'});
  for (const line of ps.stdout.split('\n')) {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (match && match[2] !== undefined && match[2].includes(marker) && Number(match[1]) !== process.pid) {
      pids.push(Number(match[1]));
    }
  }
  return pids;
}

/**
 * Stops a process we started: SIGTERM to its process group (or the PID alone when it leads no group), then
 * SIGKILL after `graceMs`. Does nothing when the PID is gone or is not ours (`marker` not in its command line).
 * `signal: 'SIGKILL'` kills at once (a crash, for tests of what a crash leaves).
 * @param {number | undefined} pid
 * @param {string} marker
 * @param {{graceMs?: number, log?: (msg: string) => void, name?: string, signal?: 'SIGTERM' | 'SIGKILL'}} [options]
 * @returns {Promise<boolean>} true when a process was signalled
 */
async function stopProcess(pid, marker, options = {}) {
  if (!pid || !isOurs(pid, marker)) return false;
  const graceMs = options.graceMs ?? 20_000;
  const stat = readProcStat(pid);
  const target = stat === undefined || stat.pgrp === pid ? -pid : pid;
  signal(target, pid, options.signal ?? 'SIGTERM');
  if (await waitForExit(pid, options.signal === 'SIGKILL' ? 10_000 : graceMs)) return true;
  if (options.log) options.log(`${options.name ?? `PID ${pid}`} still running after ${graceMs} ms: SIGKILL`);
  signal(target, pid, 'SIGKILL');
  await waitForExit(pid, 10_000);
  return true;
}

/**
 * @param {number} target negative for a process group
 * @param {number} pid
 * @param {NodeJS.Signals} sig
 */
function signal(target, pid, sig) {
  try {
    process.kill(target, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/**
 * @param {number} pid
 * @param {number} timeoutMs
 * @returns {Promise<boolean>} true when the process is gone
 */
async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * Runs a command to its end; resolves its stdout, rejects with its output's tail.
 * @param {string} command @param {string[]} args
 * @param {{cwd?: string, env?: NodeJS.ProcessEnv, uid?: number, gid?: number}} [options] uid/gid as spawnDetached
 * @returns {Promise<string>}
 */
function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      uid: options.uid,
      gid: options.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let output = '';
    const keep = (/** @type {Buffer} */ chunk) => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
      stdout += chunk.toString('utf8');
      keep(chunk);
    });
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new StackError(`${command} ${args.join(' ')} exited with ${code}:\n${output.trim()}`));
    });
  });
}

module.exports = {run, spawnDetached, isAlive, isOurs, commandLine, findProcesses, stopProcess, waitForExit};
