'use strict';
/** A cross-process lock as an atomically created directory, stolen when its holder's PID is gone. */
const {setTimeout: sleep} = require('node:timers/promises');
const fs = require('node:fs');
const path = require('node:path');

const {StackError} = require('./errors');
const {isAlive} = require('./processes');

/**
 * Runs `fn` while holding the lock at `lockDir`.
 * @template T
 * @param {string} lockDir
 * @param {() => Promise<T>} fn
 * @param {{timeoutMs?: number, log?: (msg: string) => void}} [options]
 * @returns {Promise<T>}
 */
async function withLock(lockDir, fn, options = {}) {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const deadline = Date.now() + timeoutMs;
  const ownerFile = path.join(lockDir, 'owner');
  fs.mkdirSync(path.dirname(lockDir), {recursive: true});
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(ownerFile, String(process.pid));
      break;
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
      const holder = readHolder(ownerFile);
      if (holder === process.pid) throw new StackError(`lock ${lockDir} is already held by this process`);
      if (holder !== undefined && !isAlive(holder)) {
        fs.rmSync(lockDir, {recursive: true, force: true});
        continue;
      }
      if (holder === undefined && lockAgeMs(lockDir) > 10_000) {
        // Created but never written (holder died between mkdir and write).
        fs.rmSync(lockDir, {recursive: true, force: true});
        continue;
      }
      if (Date.now() > deadline) {
        throw new StackError(
          `timed out after ${timeoutMs} ms waiting for lock ${lockDir} (held by PID ${holder})`
        );
      }
      if (!announced && options.log) options.log(`waiting for lock ${lockDir} (held by PID ${holder})`);
      announced = true;
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    if (readHolder(ownerFile) === process.pid) fs.rmSync(lockDir, {recursive: true, force: true});
  }
}

/** @param {string} file */
function readHolder(file) {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** @param {string} dir */
function lockAgeMs(dir) {
  try {
    return Date.now() - fs.statSync(dir).mtimeMs;
  } catch {
    return 0;
  }
}

module.exports = {withLock};
