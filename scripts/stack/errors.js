'use strict';
/**
 * Errors of the local stack scripts. Plain JS (no compile step), so it cannot extend src/errors.ts' CdcError;
 * it mirrors its shape instead: a name and a `retriable` flag.
 */
class StackError extends Error {
  /**
   * @param {string} message
   * @param {{retriable?: boolean, cause?: unknown}} [options]
   */
  constructor(message, options = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause});
    this.name = new.target.name;
    this.retriable = Boolean(options.retriable);
  }
}

/** Something the stack needs (Java, Maven) is not installed: says what to install. */
class StackPrerequisiteError extends StackError {}

/** A JVM did not become ready in time, or died while starting: names the log file to read. */
class StackStartError extends StackError {
  /**
   * @param {string} message
   * @param {{logFile?: string, addressInUse?: boolean, cause?: unknown}} [options]
   */
  constructor(message, options = {}) {
    super(message, {retriable: Boolean(options.addressInUse), cause: options.cause});
    this.logFile = options.logFile;
    this.addressInUse = Boolean(options.addressInUse);
  }
}

module.exports = {StackError, StackPrerequisiteError, StackStartError};
