#!/usr/bin/env node
'use strict';
/**
 * What `npm test` runs: jest's unit project, then the integration project (--runInBand: one broker, two
 * cores), each with --json --outputFile, and at the very end one plain line computed from jest's JSON:
 *
 *   N passed, N failed[, N skipped]
 *
 * A suite that failed without running a test (compile error, throwing hook) counts as one failure, and so does
 * a jest run that exited non-zero without reporting any failure (e.g. its global setup threw). Exits non-zero
 * on any failure, or when no test ran at all. Extra arguments go to jest; with --selectProjects among them,
 * jest runs once with exactly those arguments.
 */
const {spawn} = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
require('../ensure-deps').ensureDependencies(ROOT);
const JEST = require.resolve('jest/bin/jest', {paths: [ROOT]});
/**
 * jest 30 reads testTimeout from the global config only: the integration project's own `testTimeout` in
 * jest.config.js is ignored (jest-circus takes globalConfig.testTimeout), so it is passed here.
 */
const INTEGRATION_TIMEOUT = '--testTimeout=120000';

/**
 * @param {string[]} args
 * @param {string} outputFile
 * @returns {Promise<number>}
 */
function runJest(args, outputFile) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [JEST, ...args, '--json', `--outputFile=${outputFile}`], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    child.on('error', (error) => {
      process.stderr.write(`[run-tests] cannot start jest: ${error.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/**
 * @param {string} label
 * @param {string} outputFile
 * @param {number} exitCode
 * @returns {{passed: number, failed: number, skipped: number, notes: string[]}}
 */
function summarize(label, outputFile, exitCode) {
  /** @type {any} */
  let report;
  try {
    report = JSON.parse(fs.readFileSync(outputFile, 'utf8'));
  } catch {
    report = undefined;
  }
  const notes = [];
  if (!report) {
    notes.push(`${label}: jest exited with ${exitCode} and wrote no results (see its output above)`);
    return {passed: 0, failed: 1, skipped: 0, notes};
  }
  let failed = report.numFailedTests ?? 0;
  const passed = report.numPassedTests ?? 0;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  for (const suite of report.testResults ?? []) {
    const ran = (suite.assertionResults ?? []).filter(
      (/** @type {any} */ a) => a.status === 'passed' || a.status === 'failed'
    );
    if (suite.status === 'failed' && !ran.some((/** @type {any} */ a) => a.status === 'failed')) {
      failed += 1;
      notes.push(`${label}: suite failed outside its tests: ${path.relative(ROOT, suite.name)}`);
    }
  }
  if (exitCode !== 0 && failed === 0) {
    failed = 1;
    notes.push(`${label}: jest exited with ${exitCode} without a failing test (see its output above)`);
  }
  return {passed, failed, skipped, notes};
}

async function main() {
  const extra = process.argv.slice(2);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pinterest-cdc-jest-'));
  /** @type {Array<{label: string, args: string[]}>} */
  const runs = extra.some((a) => a === '--selectProjects' || a.startsWith('--selectProjects='))
    ? [
        {
          label: 'jest',
          args: extra.includes('--runInBand') || extra.includes('-i') ? extra : [...extra, '--runInBand'],
        },
      ]
    : [
        {label: 'unit', args: ['--selectProjects', 'unit', '--passWithNoTests', ...extra]},
        {
          label: 'integration',
          args: [
            '--selectProjects',
            'integration',
            '--runInBand',
            '--passWithNoTests',
            INTEGRATION_TIMEOUT,
            ...extra,
          ],
        },
      ];
  const totals = {passed: 0, failed: 0, skipped: 0};
  const notes = [];
  try {
    for (const [i, run] of runs.entries()) {
      const outputFile = path.join(tmp, `${i}-${run.label}.json`);
      const started = Date.now();
      const code = await runJest(run.args, outputFile);
      const result = summarize(run.label, outputFile, code);
      process.stderr.write(
        `[run-tests] ${run.label}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped ` +
          `(${((Date.now() - started) / 1000).toFixed(1)} s)\n`
      );
      totals.passed += result.passed;
      totals.failed += result.failed;
      totals.skipped += result.skipped;
      notes.push(...result.notes);
    }
  } finally {
    fs.rmSync(tmp, {recursive: true, force: true});
  }
  if (totals.passed + totals.failed === 0) {
    totals.failed = 1;
    notes.push('no test ran at all');
  }
  for (const note of notes) process.stderr.write(`[run-tests] ${note}\n`);
  const line = `${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`;
  process.stdout.write(`${line}\n`);
  return totals.failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`[run-tests] ${error instanceof Error ? error.stack : String(error)}\n`);
    process.stdout.write('0 passed, 1 failed\n');
    process.exitCode = 1;
  }
);
