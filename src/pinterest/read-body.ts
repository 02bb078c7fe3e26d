/**
 * Reads a response body stream as far as it arrives: a connection that breaks mid-body (or a body that takes
 * longer than `timeoutMs`) still yields the bytes received, marked incomplete. The token manager needs those:
 * a cut-short token reply may already hold the rotated refresh token.
 */
import type {Readable} from 'node:stream';

export interface ReadBody {
  text: string;
  complete: boolean;
}

// A token reply is a few hundred bytes; anything far larger is not one and is not kept whole.
const MAX_BODY_BYTES = 64 * 1024;

export function readBody(stream: Readable, timeoutMs: number): Promise<ReadBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (complete: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stream.removeAllListeners('data');
      if (!complete) stream.destroy();
      resolve({text: Buffer.concat(chunks).toString('utf8'), complete});
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return finish(false);
      chunks.push(chunk);
    });
    stream.once('end', () => finish(true));
    stream.once('error', () => finish(false));
    stream.once('aborted', () => finish(false));
    stream.once('close', () => finish(false));
  });
}
