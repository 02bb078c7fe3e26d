/**
 * The registry access check. Seam: `fetch` (a stub answering with a chosen status); the real registry requiring
 * basic auth is exercised in test/integration/secure.
 */
import {RegistryAccessError, verifyRegistryAccess} from '../../../src/serde';
import {registryAccessProblem} from '../../../src/serde/registry-access';

const URL = 'http://127.0.0.1:8081/apis/ccompat/v7';
const PASSWORD = 'very-secret-registry-password';

function stubFetch(status: number) {
  const calls: {url: string; headers: Record<string, string>}[] = [];
  const fetch = (async (url: string, init: {headers: Record<string, string>}) => {
    calls.push({url, headers: init.headers});
    return new Response(status === 200 ? '{"compatibilityLevel":"BACKWARD"}' : '', {status});
  }) as unknown as typeof globalThis.fetch;
  return {fetch, calls};
}

describe('verifyRegistryAccess', () => {
  it('reads GET /config with basic auth and passes on 200', async () => {
    const {fetch, calls} = stubFetch(200);
    await verifyRegistryAccess({url: URL, username: 'cdc', password: PASSWORD}, {fetch});
    expect(calls).toEqual([
      {
        url: `${URL}/config`,
        headers: {
          Accept: 'application/vnd.schemaregistry.v1+json',
          Authorization: `Basic ${Buffer.from(`cdc:${PASSWORD}`).toString('base64')}`,
        },
      },
    ]);
  });

  it('throws a non-retriable error naming the URL and HTTP 401, without the password', async () => {
    const {fetch} = stubFetch(401);
    const error = await verifyRegistryAccess({url: URL, username: 'cdc', password: PASSWORD}, {fetch}).then(
      () => undefined,
      (e: unknown) => e
    );
    expect(error).toBeInstanceOf(RegistryAccessError);
    expect((error as RegistryAccessError).retriable).toBe(false);
    expect((error as RegistryAccessError).status).toBe(401);
    expect((error as Error).message).toBe(
      `Schema registry at ${URL} refused the credentials of user "cdc" (HTTP 401 Unauthorized). Check ` +
        'schemaRegistry.username and schemaRegistry.password (SCHEMA_REGISTRY_USERNAME, SCHEMA_REGISTRY_PASSWORD).'
    );
    expect((error as Error).message).not.toContain(PASSWORD);
  });

  it('says credentials are required when none are set, and tells 403 apart', async () => {
    await expect(verifyRegistryAccess({url: URL}, stubFetch(401))).rejects.toThrow(
      `Schema registry at ${URL} requires credentials (HTTP 401 Unauthorized)`
    );
    await expect(
      verifyRegistryAccess({url: URL, username: 'reader', password: PASSWORD}, stubFetch(403))
    ).rejects.toThrow(/denied access to user "reader" \(HTTP 403 Forbidden\)/);
  });

  it('leaves every other answer, and no answer, to the registrar', async () => {
    for (const status of [200, 404, 500, 503]) {
      await expect(verifyRegistryAccess({url: URL}, stubFetch(status))).resolves.toBeUndefined();
      expect(registryAccessProblem(status, {url: URL})).toBeUndefined();
    }
    const unreachable = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof globalThis.fetch;
    await expect(verifyRegistryAccess({url: URL}, {fetch: unreachable})).resolves.toBeUndefined();
  });
});
