/** Pure parts of token handling: reading token replies (damaged ones too) and the encrypted stored record. */
import {mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import * as path from 'node:path';

import {TokenStoreError} from '../../../src/pinterest/errors';
import {parseTokenKey, TokenKeyRing} from '../../../src/pinterest/token-cipher';
import {TokenRecordCodec} from '../../../src/pinterest/token-record';
import {classifyRefusal, parseGrant, salvageRefreshToken} from '../../../src/pinterest/token-reply';
import {FileTokenStore} from '../../../src/pinterest/token-store';

const grant = {
  access_token: 'pina.AAAA1111',
  refresh_token: 'pinr.BBBB2222',
  response_type: 'refresh_token',
  token_type: 'bearer',
  expires_in: 2592000,
  refresh_token_expires_in: 5184000,
  refresh_token_expires_at: 1800000000,
};
const body = JSON.stringify(grant);
const KEY = Buffer.alloc(32, 7).toString('base64');
const OTHER_KEY = Buffer.alloc(32, 9).toString('hex');
const tokens = {refreshToken: 'pinr.secret-refresh', accessToken: 'pina.secret-access'};

describe('token replies', () => {
  it('reads a complete grant', () => {
    const parsed = parseGrant({status: 200, text: body, complete: true}, 0);
    expect(parsed).toEqual({
      ok: true,
      tokens: {
        accessToken: 'pina.AAAA1111',
        expiresInSeconds: 2592000,
        refreshToken: 'pinr.BBBB2222',
        refreshTokenExpiresAt: new Date(1800000000 * 1000).toISOString(),
      },
    });
  });

  it('salvages a complete refresh token from a malformed or truncated body, never a cut-short one', () => {
    const cut = body.indexOf('pinr.BBBB2222') + 'pinr.BBBB2222'.length;
    // malformed: half the body, then garbage (as the sandbox's fault)
    expect(
      parseGrant({status: 200, text: `${body.slice(0, cut + 5)}<!-- upstream -->`, complete: true}, 0)
    ).toEqual({ok: false, salvagedRefreshToken: 'pinr.BBBB2222'});
    // truncated right after the closing quote
    expect(salvageRefreshToken(body.slice(0, cut + 1))).toBe('pinr.BBBB2222');
    // cut inside the value: no closing quote, nothing taken
    expect(salvageRefreshToken(body.slice(0, cut - 2))).toBeUndefined();
    expect(salvageRefreshToken(body.slice(0, cut))).toBeUndefined();
    // valid JSON without an access token is damaged too, and keeps its refresh token
    expect(parseGrant({status: 200, text: '{"refresh_token":"pinr.X1"}', complete: true}, 0)).toEqual({
      ok: false,
      salvagedRefreshToken: 'pinr.X1',
    });
    expect(salvageRefreshToken('{"refresh_token": "has space"}')).toBeUndefined();
  });

  it('tells invalid client from invalid grant', () => {
    const text = (b: object) => JSON.stringify(b);
    // notes: a refused refresh token, as recorded live (pinterest/pinterest-python-sdk #114)
    expect(classifyRefusal(401, text({code: 283, message: 'The authorization grant is invalid'}))).toBe(
      'invalid_grant'
    );
    expect(
      classifyRefusal(400, text({code: 1104, message: 'The token you provided is not valid or has expired.'}))
    ).toBe('invalid_grant');
    expect(classifyRefusal(401, text({code: 2, message: 'Authentication failed.'}))).toBe('invalid_client');
    expect(classifyRefusal(400, text({error: 'invalid_client'}))).toBe('invalid_client');
    expect(classifyRefusal(401, text({error: 'invalid_grant'}))).toBe('invalid_grant');
    expect(classifyRefusal(403, 'not json')).toBe('invalid_client');
    // in doubt: invalid grant (that path looks for a newer token; the other would stop looking)
    expect(classifyRefusal(400, text({code: 1, message: 'Invalid parameters.'}))).toBe('invalid_grant');
  });
});

describe('stored token record', () => {
  it('accepts keys as 64 hex digits or base64 of 32 bytes, nothing else', () => {
    expect(parseTokenKey(KEY)?.length).toBe(32);
    expect(parseTokenKey(OTHER_KEY)?.length).toBe(32);
    expect(parseTokenKey(Buffer.alloc(32, 1).toString('base64url'))?.length).toBe(32);
    expect(parseTokenKey('too-short')).toBeUndefined();
    expect(parseTokenKey(Buffer.alloc(31).toString('base64'))).toBeUndefined();
  });

  it('encrypts with AES-256-GCM under the current key: no token in the bytes, key id named', () => {
    const codec = new TokenRecordCodec(new TokenKeyRing(KEY));
    const bytes = codec.encode('default', tokens);
    const text = bytes.toString('utf8');
    expect(text).not.toContain('secret-refresh');
    expect(text).not.toContain('secret-access');
    const record = JSON.parse(text);
    expect(record).toMatchObject({format: 'pinterest-cdc.tokens', version: 1, connection: 'default'});
    expect(record.protection).toBe('aes-256-gcm');
    expect(record.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(codec.decode('default', bytes)).toMatchObject({
      tokens,
      protection: {encrypted: true, keyId: record.keyId},
    });
    // two writes of the same tokens differ (random IV)
    expect(codec.encode('default', tokens).toString()).not.toBe(text);
  });

  it('reads records of a previous key during a key rotation; writes with the new one', () => {
    const old = new TokenRecordCodec(new TokenKeyRing(KEY)).encode('default', tokens);
    const rotated = new TokenRecordCodec(new TokenKeyRing(OTHER_KEY, [KEY]));
    const decoded = rotated.decode('default', old);
    expect(decoded.tokens).toEqual(tokens);
    expect(decoded.protection).not.toEqual(rotated.target); // so the service rewrites it
    const rewritten = rotated.encode('default', decoded.tokens);
    expect(new TokenRecordCodec(new TokenKeyRing(OTHER_KEY)).decode('default', rewritten).tokens).toEqual(
      tokens
    );
  });

  it('refuses a record it has no key for, an altered one, or another connection`s, without echoing it', () => {
    const bytes = new TokenRecordCodec(new TokenKeyRing(KEY)).encode('default', tokens);
    const withoutKey = new TokenRecordCodec(new TokenKeyRing(OTHER_KEY));
    const error = (() => {
      try {
        withoutKey.decode('default', bytes);
      } catch (e) {
        return e as TokenStoreError;
      }
      throw new Error('expected a failure');
    })();
    expect(error).toBeInstanceOf(TokenStoreError);
    expect(error.retriable).toBe(false);
    expect(error.message).toMatch(/encrypted with token key [0-9a-f]{16}.*PINTEREST_CDC_TOKEN_KEY/);

    const codec = new TokenRecordCodec(new TokenKeyRing(KEY));
    const record = JSON.parse(bytes.toString());
    const altered = Buffer.from(JSON.stringify({...record, updatedAt: '2020-01-01T00:00:00.000Z'}));
    expect(() => codec.decode('default', altered)).toThrow(/does not decrypt/);
    expect(() => codec.decode('other', bytes)).toThrow(/belongs to connection "default"/);
    expect(() => codec.decode('default', Buffer.from('{"refreshToken": 1'))).toThrow(/not a JSON object/);
  });

  it('writes clear records without a key, and reads files from before the envelope', () => {
    const codec = new TokenRecordCodec(new TokenKeyRing(undefined));
    expect(codec.encrypts).toBe(false);
    const bytes = codec.encode('default', tokens);
    expect(JSON.parse(bytes.toString())).toMatchObject({protection: 'none', tokens});
    expect(codec.decode('default', bytes).protection).toEqual({encrypted: false});
    expect(
      codec.decode('default', '{"refreshToken":"pinr.legacy","refreshTokenExpiresAt":"x","savedAt":"y"}')
        .tokens
    ).toEqual({refreshToken: 'pinr.legacy', refreshTokenExpiresAt: 'x'});
  });

  it('the file store keeps the encrypted record in a 0600 file and reads a legacy clear file', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tok-')), 'tokens.json');
    const store = new FileTokenStore(file, {codec: new TokenRecordCodec(new TokenKeyRing(KEY))});
    await store.save(tokens);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain('secret');
    expect(await store.load()).toEqual(tokens);
    writeFileSync(file, JSON.stringify({refreshToken: 'pinr.legacy'}));
    expect(await store.load()).toEqual({refreshToken: 'pinr.legacy'});
  });
});
