/** Public API of the Pinterest API v5 sandbox (docs/contracts.md, Sandbox). */
export {startSandbox} from './server';
export type {RunningSandbox} from './server';
export {
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_LIMITS,
  DEFAULT_REFRESH_TOKEN,
  DEFAULT_SCALE,
  describeSandbox,
  SandboxConfigError,
  sandboxOptionsFromEnv,
  SCALE_PRESETS,
} from './options';
export type {
  CategoryLimit,
  RateCategory,
  SandboxLimits,
  SandboxOptions,
  SandboxScale,
  SandboxUserOptions,
} from './options';
export {SandboxControlError} from './control';
/** The columns of the analytics ground truth and restatement rows unless others are asked for. */
export {TRUTH_COLUMNS} from './analytics';
export type {
  AnalyticsCollection,
  AnalyticsTruthQuery,
  AnalyticsTruthRow,
  AppliedChange,
  SandboxChange,
  SandboxControl,
} from './control';
export type {FaultConfig} from './faults';
export type {SandboxStats} from './stats';
