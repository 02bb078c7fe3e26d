/** The Pinterest client's observability seam (docs/contracts.md), as the metrics adapter sees it. */
export type {
  AuthorizationEvent,
  RequestHooks,
  RequestEvent,
  RetryEvent,
  RateLimitedEvent,
  TokenRefreshEvent,
} from '../pinterest';

/** What `client.budget()` returns: per category, requests left and the end of a daily-cap pause. */
export type BudgetSnapshot = Readonly<Record<string, {remaining: number; pausedUntil?: Date}>>;
