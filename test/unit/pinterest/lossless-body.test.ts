/**
 * The client parses API bodies without rounding integers beyond 2^53: a big integer set on a sandbox record (the
 * sandbox started in process, its HTTP control route given the raw JSON text) reaches the caller as an exact
 * bigint, and a body that is not JSON still fails as malformed, on the lossless path too.
 */
import {TransientError} from '../../../src/pinterest';
import type {RunningSandbox} from '../../../src/sandbox';
import {ALL_STATUSES, clientFor, listAll, sandboxWithClock} from './sandbox-helpers';
import {failureOf} from './stub-server';

jest.setTimeout(60_000);

const BIG = '12345678901234567891';
let sandbox: RunningSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function control(path: string, text: string): Promise<string> {
  const res = await fetch(`${sandbox!.controlUrl}${path}`, {method: 'POST', body: text});
  const body = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${body}`);
  return body;
}

describe('lossless API bodies', () => {
  it('hands a big integer nested in targeting_spec, and a big integer id field, to the caller exactly', async () => {
    ({sandbox} = await sandboxWithClock(1));
    const client = clientFor(sandbox);
    const account = (await listAll<{id: string}>(client, {path: '/ad_accounts', category: 'ads_read'}))[0]!
      .id;
    const listGroups = () =>
      listAll<Record<string, unknown>>(client, {
        path: '/ad_accounts/{ad_account_id}/ad_groups',
        pathParams: {ad_account_id: account},
        query: {entity_statuses: ALL_STATUSES},
        category: 'ads_read',
      });
    const target = (await listGroups())[0]!;
    const answer = await control(
      '/changes',
      `{"changes":[{"kind":"update","collection":"ad_groups","ids":["${String(target.id)}"],` +
        `"set":{"targeting_spec":{"AUDIENCE_INCLUDE":[${BIG}],"AGE_BUCKET":["25-34"]},"promotion_id":${BIG}}}]}`
    );
    // The control answer (the applied change) carries the digits too.
    expect(answer).toContain(`"AUDIENCE_INCLUDE":[${BIG}]`);

    const after = (await listGroups()).find((g) => g.id === target.id)!;
    expect(after.targeting_spec).toEqual({AUDIENCE_INCLUDE: [BigInt(BIG)], AGE_BUCKET: ['25-34']});
    expect(after.promotion_id).toBe(BigInt(BIG));
    // Every other record still comes through the native parser's values (numbers stay numbers).
    expect(typeof after.created_time).toBe('number');
  });

  it('still fails a malformed body as malformed (retriable), not as a network error', async () => {
    ({sandbox} = await sandboxWithClock(1));
    const client = clientFor(sandbox, {
      config: {
        retry: {maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 5_000, maxRateLimitRetries: 1},
      },
    });
    sandbox.control.setFaults({malformedRate: 1, pathPattern: 'ad_accounts'});
    const error = await failureOf(client.get({path: '/ad_accounts', category: 'ads_read'}));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.reason).toBe('malformed');
  });
});
