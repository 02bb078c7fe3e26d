/** A control-API request the sandbox cannot carry out (HTTP 400 `{error}`). */
import {CdcError} from '../errors';

export class SandboxControlError extends CdcError {
  constructor(message: string) {
    super(message, {retriable: false});
  }
}
