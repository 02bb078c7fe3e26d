/**
 * What a running sandbox holds: per Pinterest user a world (`SandboxState`: ids, entities, analytics, reports,
 * tokens, rate budgets, request counters), and around them what users share (`ServerState`: options, clock,
 * faults, sandbox-wide counters). Every API handler gets the world of the request's user.
 */
import {AnalyticsModel} from './analytics-model';
import {SandboxClock} from './clock';
import {Delivery} from './delivery';
import {EntityStore} from './entity-store';
import {Faults} from './faults';
import {GenContext} from './generate-ads';
import {IdCodec} from './ids';
import {Lifetimes} from './lifetimes';
import {ResolvedSandboxOptions, ResolvedUser} from './options';
import {RateLimiter} from './rate-limiter';
import {ReportRequest, ReportService} from './reports';
import {hash32} from './rng';
import {StatsCounter} from './stats';
import {utcDay} from './time-format';
import {TokenService} from './tokens';

export interface SandboxState {
  options: ResolvedSandboxOptions;
  user: ResolvedUser;
  clock: SandboxClock;
  ids: IdCodec;
  gen: GenContext;
  store: EntityStore;
  lifetimes: Lifetimes;
  analytics: AnalyticsModel;
  reports: ReportService;
  tokens: TokenService;
  limiter: RateLimiter;
  stats: StatsCounter;
  /** Counter for deterministic control-API choices. */
  changeSeq: {value: number};
}

export interface ServerState {
  options: ResolvedSandboxOptions;
  clock: SandboxClock;
  users: SandboxState[];
  faults: Faults;
  stats: StatsCounter;
}

export type ReportBuilder = (
  state: SandboxState,
  request: ReportRequest,
  atMs: number
) => Record<string, unknown[]>;

/** The seed of a user's generated data: the sandbox seed for user 0 (its data as it always was). */
function dataSeed(seed: number, userIndex: number): number {
  return userIndex === 0 ? seed : hash32(seed, 0x05e7, userIndex);
}

function createUserState(
  options: ResolvedSandboxOptions,
  user: ResolvedUser,
  clock: SandboxClock,
  totals: StatsCounter,
  buildReport: ReportBuilder
): SandboxState {
  const nowMs = (): number => clock.nowMs();
  const ids = new IdCodec(options.seed, user.ids);
  const seed = dataSeed(options.seed, user.index);
  const gen: GenContext = {
    seed,
    ids,
    scale: user.scale,
    originSec: Math.floor(options.startTime.getTime() / 1000),
  };
  const store = new EntityStore(gen);
  const lifetimes = new Lifetimes(store);
  const firstDay = utcDay(options.startTime.getTime()) - user.scale.analyticsDays;
  const state: SandboxState = {
    options,
    user,
    clock,
    ids,
    gen,
    store,
    lifetimes,
    analytics: new AnalyticsModel(seed, new Delivery(gen, store, lifetimes, firstDay)),
    reports: new ReportService({
      nowMs,
      seed,
      pollsUntilFinished: options.reportPollsUntilFinished,
      build: (request, atMs) => buildReport(state, request, atMs),
    }),
    tokens: new TokenService({
      refreshToken: user.refreshToken,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds,
      seed: options.seed,
      userIndex: user.index,
      nowMs,
    }),
    limiter: new RateLimiter(options.limits, nowMs),
    stats: new StatsCounter(totals),
    changeSeq: {value: 0},
  };
  return state;
}

export function createServerState(options: ResolvedSandboxOptions, buildReport: ReportBuilder): ServerState {
  const clock = new SandboxClock(options.startTime, options.now);
  const stats = new StatsCounter();
  return {
    options,
    clock,
    users: options.users.map((user) => createUserState(options, user, clock, stats, buildReport)),
    faults: new Faults(options.seed),
    stats,
  };
}
