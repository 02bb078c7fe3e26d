/**
 * Whether the schema registry accepts this client's credentials. A 401 or 403 is a configuration problem that no
 * retry fixes: reported at once, with the registry's URL and the settings to change. Anything else (no answer,
 * a 5xx) is left to the registrar, which reports it for the request that needs the registry.
 */
import {CdcError} from '../errors';

/** The registry refused this client's credentials (or their absence): fix the configuration. */
export class RegistryAccessError extends CdcError {
  constructor(
    message: string,
    readonly status: number
  ) {
    super(message, {retriable: false});
  }
}

export interface RegistryAccess {
  /** The Confluent-compatible base URL (Apicurio: …/apis/ccompat/v7). */
  url: string;
  username?: string;
  password?: string;
}

/** The message for a refused request, or undefined for any other status. The password never appears. */
export function registryAccessProblem(status: number, access: RegistryAccess): string | undefined {
  const settings =
    'schemaRegistry.username and schemaRegistry.password (SCHEMA_REGISTRY_USERNAME, SCHEMA_REGISTRY_PASSWORD)';
  if (status === 401) {
    return access.username
      ? `Schema registry at ${access.url} refused the credentials of user "${access.username}" ` +
          `(HTTP 401 Unauthorized). Check ${settings}.`
      : `Schema registry at ${access.url} requires credentials (HTTP 401 Unauthorized): set ${settings}.`;
  }
  if (status === 403) {
    return (
      `Schema registry at ${access.url} denied access to user "${access.username ?? '(anonymous)'}" ` +
      '(HTTP 403 Forbidden): the user needs a role that may read and register schemas.'
    );
  }
  return undefined;
}

/** The Authorization header for basic auth, when both halves are set. */
export function basicAuthorization(access: RegistryAccess): Record<string, string> {
  if (!access.username || !access.password) return {};
  const token = Buffer.from(`${access.username}:${access.password}`).toString('base64');
  return {Authorization: `Basic ${token}`};
}

/**
 * One authenticated read (`GET /config`, the global compatibility level, which Confluent and Apicurio serve
 * to every reader): throws a RegistryAccessError on 401/403, returns on anything else.
 */
export async function verifyRegistryAccess(
  access: RegistryAccess,
  options: {fetch?: typeof fetch; timeoutMs?: number} = {}
): Promise<void> {
  let status: number;
  try {
    const response = await (options.fetch ?? fetch)(`${access.url}/config`, {
      headers: {Accept: 'application/vnd.schemaregistry.v1+json', ...basicAuthorization(access)},
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    status = response.status;
    await response.arrayBuffer();
  } catch {
    // No answer: the registrar's requests meet the same registry and say so.
    return;
  }
  const problem = registryAccessProblem(status, access);
  if (problem !== undefined) throw new RegistryAccessError(problem, status);
}
