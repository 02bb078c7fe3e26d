/**
 * Read-only look at the registry for `check`: is each subject's local schema registered already, would the
 * registry accept it as a new version (compatible), or would it refuse it? Registers nothing. Confluent REST API
 * (Apicurio's ccompat v7 serves it): `POST /subjects/{s}` looks a schema up, `POST /compatibility/subjects/{s}/
 * versions/latest` tests one.
 */
import {CdcError} from '../errors';
import {basicAuthorization, type RegistryAccess} from './registry-access';
import {REGISTRY_REQUEST_TIMEOUT_MS, type SubjectSchema} from './schema-registrar';

/** The registry to check against; `fetch` for tests that count or fail its requests. */
type CheckedRegistry = RegistryAccess & {fetch?: typeof fetch};

export type SubjectState = 'registered' | 'compatible' | 'missing' | 'incompatible';

export interface SubjectCheck {
  subject: string;
  state: SubjectState;
  /** The registry's reasons for an incompatible schema. */
  reasons?: string[];
  /** The registered schema's id and version, when the local schema is registered as it is. */
  id?: number;
  version?: number;
}

// Confluent Schema Registry error codes: 40401 subject not found, 40403 schema not found.
const SUBJECT_NOT_FOUND = 40401;

export async function checkSubjects(
  registry: CheckedRegistry,
  subjects: readonly SubjectSchema[]
): Promise<SubjectCheck[]> {
  const out: SubjectCheck[] = [];
  for (const {subject, schema} of subjects) {
    const body = JSON.stringify({schema: JSON.stringify(schema)});
    const lookup = await call(registry, `/subjects/${encodeURIComponent(subject)}`, body);
    if (lookup.status === 200) {
      const {id, version} = lookup.body;
      out.push({
        subject,
        state: 'registered',
        ...(typeof id === 'number' ? {id} : {}),
        ...(typeof version === 'number' ? {version} : {}),
      });
      continue;
    }
    if (lookup.status !== 404) throw registryError(subject, lookup);
    if (lookup.body.error_code === SUBJECT_NOT_FOUND) {
      out.push({subject, state: 'missing'});
      continue;
    }
    const compat = await call(
      registry,
      `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`,
      body
    );
    if (compat.status === 404) {
      out.push({subject, state: 'missing'});
    } else if (compat.status === 200) {
      const compatible = compat.body.is_compatible === true;
      let reasons = Array.isArray(compat.body.messages) ? compat.body.messages.map(String) : [];
      if (!compatible && reasons.length === 0) reasons = await apicurioReasons(registry, subject, schema);
      out.push(compatible ? {subject, state: 'compatible'} : {subject, state: 'incompatible', reasons});
    } else if (compat.status === 409 || compat.status === 422) {
      out.push({
        subject,
        state: 'incompatible',
        reasons: [String(compat.body.message ?? `HTTP ${compat.status}`)],
      });
    } else {
      throw registryError(subject, compat);
    }
  }
  return out;
}

/**
 * Apicurio's ccompat API answers `{"is_compatible": false}` without reasons even when asked to be verbose; its
 * own API (v3) gives them for a version created with `dryRun=true`, which checks the rules and stores nothing.
 * Used only when the URL is Apicurio's ccompat one; [] otherwise or when that API does not answer.
 */
async function apicurioReasons(
  registry: CheckedRegistry,
  subject: string,
  schema: object
): Promise<string[]> {
  const base = /^(.*)\/apis\/ccompat\/v\d+$/.exec(registry.url)?.[1];
  if (base === undefined) return [];
  const path = `/groups/default/artifacts/${encodeURIComponent(subject)}/versions?dryRun=true`;
  const body = JSON.stringify({content: {content: JSON.stringify(schema), contentType: 'application/json'}});
  try {
    const response = await post(registry, `${base}/apis/registry/v3${path}`, 'application/json', body);
    const answer = (await response.json()) as {causes?: {description?: string; context?: string}[]};
    return (answer.causes ?? []).map((c) =>
      c.context ? `${c.description} at ${c.context}` : String(c.description)
    );
  } catch {
    return [];
  }
}

/** One POST to the registry, with its credentials and the registry request timeout. */
function post(registry: CheckedRegistry, url: string, contentType: string, body: string): Promise<Response> {
  return (registry.fetch ?? fetch)(url, {
    method: 'POST',
    headers: {'Content-Type': contentType, ...basicAuthorization(registry)},
    body,
    signal: AbortSignal.timeout(REGISTRY_REQUEST_TIMEOUT_MS),
  });
}

interface Answer {
  status: number;
  body: Record<string, unknown> & {messages?: unknown[]};
}

async function call(registry: CheckedRegistry, path: string, body: string): Promise<Answer> {
  let response: Response;
  let text: string;
  try {
    response = await post(registry, `${registry.url}${path}`, 'application/vnd.schemaregistry.v1+json', body);
    text = await response.text();
  } catch (error) {
    // fetch says only "fetch failed"; the socket error (ECONNREFUSED, ...) is its cause.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new CdcError(`schema registry at ${registry.url} did not answer: ${why}`, {
      retriable: true,
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = {};
  }
  return {
    status: response.status,
    body: (parsed && typeof parsed === 'object' ? parsed : {}) as Answer['body'],
  };
}

function registryError(subject: string, answer: Answer): Error {
  const message = typeof answer.body.message === 'string' ? `: ${answer.body.message}` : '';
  return new CdcError(`schema registry answered HTTP ${answer.status} for ${subject}${message}`, {
    retriable: answer.status >= 500,
  });
}
