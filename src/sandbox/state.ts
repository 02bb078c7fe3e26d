/** Everything one running sandbox holds, built from resolved options; passed to every handler. */
import {AnalyticsModel} from './analytics';
import {SandboxClock} from './clock';
import {EntityStore} from './entity-store';
import {Faults} from './faults';
import {GenContext} from './generate-ads';
import {IdCodec} from './ids';
import {ResolvedSandboxOptions} from './options';
import {RateLimiter} from './rate-limiter';
import {ReportRequest, ReportService} from './reports';
import {StatsCounter} from './stats';
import {utcDay} from './time-format';
import {TokenService} from './tokens';

export interface SandboxState {
  options: ResolvedSandboxOptions;
  clock: SandboxClock;
  ids: IdCodec;
  gen: GenContext;
  store: EntityStore;
  analytics: AnalyticsModel;
  reports: ReportService;
  tokens: TokenService;
  limiter: RateLimiter;
  faults: Faults;
  stats: StatsCounter;
  /** Counter for deterministic control-API choices. */
  changeSeq: {value: number};
}

export function createState(
  options: ResolvedSandboxOptions,
  buildReport: (state: SandboxState, request: ReportRequest, atMs: number) => Record<string, unknown[]>
): SandboxState {
  const clock = new SandboxClock(options.startTime, options.now);
  const nowMs = (): number => clock.nowMs();
  const ids = new IdCodec(options.seed);
  const gen: GenContext = {
    seed: options.seed,
    ids,
    scale: options.scale,
    originSec: Math.floor(options.startTime.getTime() / 1000),
  };
  const state: SandboxState = {
    options,
    clock,
    ids,
    gen,
    store: new EntityStore(gen),
    analytics: new AnalyticsModel(
      options.seed,
      utcDay(options.startTime.getTime()) - options.scale.analyticsDays
    ),
    reports: new ReportService({
      nowMs,
      seed: options.seed,
      pollsUntilFinished: options.reportPollsUntilFinished,
      build: (request, atMs) => buildReport(state, request, atMs),
    }),
    tokens: new TokenService({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      refreshToken: options.refreshToken,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds,
      seed: options.seed,
      nowMs,
    }),
    limiter: new RateLimiter(options.limits, nowMs),
    faults: new Faults(options.seed),
    stats: new StatsCounter(),
    changeSeq: {value: 0},
  };
  return state;
}
