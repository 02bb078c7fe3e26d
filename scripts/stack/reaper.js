'use strict';
/**
 * Watches the process that started a stack (the jest run) and stops the stack when that process is gone, so a
 * killed test run (Ctrl-C, CI timeout) leaves no JVM behind. Started detached by startStack({ownerPid}).
 * Usage: node reaper.js <stack dir> <owner pid> <stack id> [<module>]
 * <module> (default: this stack) exports `reaperTarget: {readState(dir), stop({dir, removeDir, log})}`, where
 * readState(dir).stackId names the running instance; scripts/downstream uses it for its own processes.
 */
const {setTimeout: sleep} = require('node:timers/promises');
const {readState, stopStack} = require('./index');
const {isAlive} = require('./processes');

async function main() {
  const [dir, ownerArg, stackId, targetModule] = process.argv.slice(2);
  const owner = Number(ownerArg);
  if (!dir || !Number.isInteger(owner) || owner <= 0 || !stackId) {
    process.stderr.write('usage: node reaper.js <stack dir> <owner pid> <stack id> [<module>]\n');
    process.exit(2);
  }
  const target = targetModule ? require(targetModule).reaperTarget : {readState, stop: stopStack};
  for (;;) {
    const state = target.readState(dir);
    if (!state || state.stackId !== stackId) return; // stopped normally, or replaced
    if (!isAlive(owner)) {
      process.stderr.write(`[reaper] owner PID ${owner} is gone: stopping the stack in ${dir}\n`);
      await target.stop({dir, removeDir: true, log: (msg) => process.stderr.write(`[reaper] ${msg}\n`)});
      return;
    }
    await sleep(1000);
  }
}

main().catch((error) => {
  process.stderr.write(`[reaper] ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
