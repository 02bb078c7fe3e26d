/**
 * The Avro schemas a configuration writes: its entity and analytics collections, loaded once, and their subjects
 * (`<topic>-key`, `<topic>-value`). `run`, `check`, `schemas` and a dry run all start from this one list.
 */
import {CollectionRegistry} from '../collections';
import {configuredCollections, type AppConfig} from '../config';
import {
  createRegistryClient,
  SchemaCatalog,
  SchemaRegistrar,
  subjectsOf,
  type RegistryHooks,
  type SubjectSchema,
} from '../serde';

/** The schemas of every collection the configuration syncs (entities, then analytics). */
export function configuredCatalog(config: AppConfig): SchemaCatalog {
  const registry = new CollectionRegistry();
  return new SchemaCatalog({collections: configuredCollections(config).map((name) => registry.get(name))});
}

/** The subjects of every configured collection with their schemas, as `run` registers them. */
export function configuredSubjects(config: AppConfig, catalog = configuredCatalog(config)): SubjectSchema[] {
  return catalog.all().flatMap((schemas) => subjectsOf(config.kafka.topicPrefix, schemas));
}

/** The registrar `run` registers with at start, and `schemas register` on demand. */
export function configuredRegistrar(
  config: AppConfig,
  catalog: SchemaCatalog,
  hooks?: RegistryHooks
): SchemaRegistrar {
  const client = createRegistryClient({
    url: config.schemaRegistry.url,
    username: config.schemaRegistry.username,
    password: config.schemaRegistry.password,
  });
  return new SchemaRegistrar(client, catalog, config.kafka.topicPrefix, {
    url: config.schemaRegistry.url,
    hooks,
  });
}
