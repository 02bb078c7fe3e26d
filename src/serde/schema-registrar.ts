import {SchemaRegistry, SchemaType} from '@kafkajs/confluent-schema-registry';
import type SchemaRegistryClient from '@kafkajs/confluent-schema-registry/dist/SchemaRegistry';
import {topicOf} from '../collections/registry';
import type {SubjectIds} from './event-serializer';
import {SchemaRegistrationError} from './errors';
import type {CollectionSchemas, SchemaCatalog} from './schema-catalog';

/** The part of @kafkajs/confluent-schema-registry's client the registrar uses (a fake fits in tests). */
export type RegistryClient = Pick<SchemaRegistryClient, 'register'>;

/** How a registry request ended: answered (`success`), refused with a reason (`refused`), or no answer. */
export type RegistryOutcome = 'success' | 'refused' | 'unavailable';

/** Metrics seam of the registrar: every label bounded. */
export interface RegistryHooks {
  onRequest?(event: {operation: 'register'; outcome: RegistryOutcome; durationSeconds: number}): void;
}

/**
 * A registry request gets this long before it counts as unanswered: the client (mappersmith) has no timeout of
 * its own, so a registry that accepts the connection and never answers would hold the start forever.
 */
export const REGISTRY_REQUEST_TIMEOUT_MS = 15_000;

/**
 * Registering is idempotent (an identical schema gets its existing id), so a request that got no answer is asked
 * again: seen on a freshly started Apicurio, one request in a few hundred got no answer at all while the next one
 * (a new connection) was answered at once (docs/notes.md "Registry").
 */
export const REGISTRY_ATTEMPTS = 3;
const REGISTRY_RETRY_DELAY_MS = 1_000;

/** The registry client, with a timeout on every request. */
export function createRegistryClient(options: {
  url: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
}): SchemaRegistryClient {
  const timeout = options.timeoutMs ?? REGISTRY_REQUEST_TIMEOUT_MS;
  return new SchemaRegistry({
    host: options.url,
    auth:
      options.username && options.password
        ? {username: options.username, password: options.password}
        : undefined,
    // A mappersmith middleware (the client appends ours to its own).
    middlewares: [() => ({prepareRequest: (next) => next().then((request) => request.enhance({timeout}))})],
  });
}

/**
 * Registers `<topic>-key` and `<topic>-value` for every collection at start. Re-registering an identical schema
 * returns its existing id; an incompatible local change makes the registry refuse it, and start fails with a
 * SchemaRegistrationError naming the subject and the registry's reason. A registry that does not answer
 * (connection refused, timeout, 5xx) says so, with its URL.
 */
export class SchemaRegistrar {
  private readonly url: string;
  private readonly hooks: RegistryHooks;
  private readonly attempts: number;
  private readonly retryDelayMs: number;

  constructor(
    private readonly registry: RegistryClient,
    private readonly catalog: SchemaCatalog,
    private readonly topicPrefix: string,
    options: {url?: string; hooks?: RegistryHooks; attempts?: number; retryDelayMs?: number} = {}
  ) {
    this.url = options.url ?? 'the configured URL';
    this.hooks = options.hooks ?? {};
    this.attempts = options.attempts ?? REGISTRY_ATTEMPTS;
    this.retryDelayMs = options.retryDelayMs ?? REGISTRY_RETRY_DELAY_MS;
  }

  async registerAll(): Promise<Map<string, SubjectIds>> {
    const ids = new Map<string, SubjectIds>();
    for (const schemas of this.catalog.all()) ids.set(schemas.declaration.name, await this.register(schemas));
    return ids;
  }

  async register(schemas: CollectionSchemas): Promise<SubjectIds> {
    const [key, value] = subjectsOf(this.topicPrefix, schemas);
    const keyId = await this.registerSubject(key.subject, key.schema);
    const valueId = await this.registerSubject(value.subject, value.schema);
    return {keyId, valueId};
  }

  /** Registers one subject, asking again (up to `attempts` in all) while the registry gives no answer. */
  private async registerSubject(subject: string, schema: object): Promise<number> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.registerOnce(subject, schema, attempt);
      } catch (error) {
        const unanswered = error instanceof SchemaRegistrationError && error.retriable;
        if (!unanswered || attempt >= this.attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * attempt));
      }
    }
  }

  private async registerOnce(subject: string, schema: object, attempt: number): Promise<number> {
    const started = performance.now();
    const report = (outcome: RegistryOutcome) =>
      this.hooks.onRequest?.({
        operation: 'register',
        outcome,
        durationSeconds: (performance.now() - started) / 1000,
      });
    try {
      const {id} = await this.registry.register(
        {type: SchemaType.AVRO, schema: JSON.stringify(schema)},
        {subject}
      );
      report('success');
      return id;
    } catch (error) {
      const noAnswer = noAnswerReason(error);
      report(noAnswer === undefined ? 'refused' : 'unavailable');
      if (noAnswer !== undefined) {
        throw new SchemaRegistrationError(
          subject,
          `schema registry at ${this.url} did not answer${attempt > 1 ? ` (${attempt} attempts)` : ''}: ${noAnswer}`,
          {
            retriable: true,
            cause: error,
          }
        );
      }
      const status = (error as {status?: unknown}).status;
      // Apicurio (ccompat) answers 409 "A rule named 'COMPATIBILITY' already exists" to one of two processes that
      // register a new subject at the same moment (seen with 3 fleet instances started together, docs/notes.md
      // "Fleet"): the other created it, and registering again (idempotent) gets its id.
      const raced = status === 409 && /already exists/i.test(reasonOf(error));
      throw new SchemaRegistrationError(subject, reasonOf(error), {
        retriable: status === 429 || raced,
        cause: error,
      });
    }
  }
}

export interface SubjectSchema {
  subject: string;
  schema: object;
}

/** The subjects of one collection (TopicNameStrategy: `<topic>-key`, `<topic>-value`) with their schemas. */
export function subjectsOf(topicPrefix: string, schemas: CollectionSchemas): [SubjectSchema, SubjectSchema] {
  const topic = topicOf(topicPrefix, schemas.declaration);
  return [
    {subject: `${topic}-key`, schema: schemas.keySchema},
    {subject: `${topic}-value`, schema: schemas.envelopeSchema},
  ];
}

/**
 * Why the registry gave no usable answer, or undefined when it answered (a refusal with its reason). The client
 * turns a failure below HTTP (connection refused, reset, DNS, our timeout) into a made-up "status 400" whose text
 * is the socket error: told apart from a real 400 by that text. A 5xx is the registry failing, not a verdict.
 */
export function noAnswerReason(error: unknown): string | undefined {
  const status = (error as {status?: unknown} | null)?.status;
  // Errors without a status are the client's own (e.g. a compatibility level it does not expect).
  if (!(error instanceof Error) || typeof status !== 'number') return undefined;
  const detail = error.message.replace(/^Confluent_Schema_Registry - (Error, status \d+: )?/, '');
  if (status >= 500) return `HTTP ${status}: ${detail}`;
  if (status === 400 && NETWORK_FAILURE.test(error.message)) return detail;
  return undefined;
}

// Node's socket error codes and mappersmith's timeout text ("Timeout (30000ms)").
const NETWORK_FAILURE =
  /\b(ECONNREFUSED|ECONNRESET|ECONNABORTED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE)\b|socket hang up|Timeout \(\d+ms\)/;

function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const status = (error as {status?: unknown}).status;
    return typeof status === 'number' ? `${error.message} (HTTP ${status})` : error.message;
  }
  return String(error);
}
