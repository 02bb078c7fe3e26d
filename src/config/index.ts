export {loadConfig, loadConfigWithSources, configLeaves} from './load';
export {coerce} from './coerce';
export type {LoadConfigOptions, LoadedConfig, ValueSource} from './load';
export {redactConfig, secretValues, secretPaths, REDACTED} from './redact';
export {renderConfigDocs, renderExampleConfig} from './docs';
export {configWarnings} from './rules';
export {CONFIG_FILE_ENV, ENV_PREFIX, genericEnvName} from './leaves';
export type {Leaf} from './leaves';
export {
  settings,
  ENTITY_COLLECTIONS,
  ANALYTICS_COLLECTIONS,
  ATTRIBUTION_WINDOW_DAYS,
  DEFAULT_ANALYTICS_COLUMNS,
  MAX_RESTATEMENT_DAYS,
  configuredCollections,
} from './settings';
export type {AppConfig, EntityCollection, AnalyticsCollection} from './settings';
export type {Setting, SettingKind} from './setting';
