/**
 * The HTTP face of the control API under /_sandbox (docs/contracts.md, Sandbox). JSON in, JSON out. A user is
 * addressed with `?user=<name|index>` or a body field `user`; without one the sandbox-wide control answers.
 */
import {ApiError} from './api-error';
import {AnalyticsCollection, SandboxControl, SandboxControlError} from './control';
import {isAnalyticsCollection} from './control-analytics';
import {RateCategory} from './options';

export interface ControlAnswer {
  status: number;
  body: unknown;
}

function object(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

export function handleControl(
  sandbox: SandboxControl,
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown
): ControlAnswer {
  const b = object(body);
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  try {
    const addressed = query.get('user') ?? (typeof b.user === 'string' ? b.user : undefined);
    const control = addressed === undefined ? sandbox : sandbox.user(addressed);
    if (route === 'GET /_sandbox/clock') return {status: 200, body: {now: control.now().toISOString()}};
    if (route === 'POST /_sandbox/clock')
      return {status: 200, body: control.advanceClock(Number(b.advanceSeconds ?? 0))};
    if (route === 'POST /_sandbox/changes') {
      if (!Array.isArray(b.changes)) throw new SandboxControlError('body must be {changes: [...]}');
      return {status: 200, body: control.applyChanges(b.changes)};
    }
    const truth = /^GET \/_sandbox\/truth\/(\w+)$/.exec(route);
    const collection = truth?.[1] as string;
    if (truth && isAnalyticsCollection(collection)) {
      const columns = query.get('columns');
      return {
        status: 200,
        body: control.analyticsTruth({
          collection: collection as AnalyticsCollection,
          adAccountId: query.get('ad_account_id') ?? undefined,
          startDate: query.get('start_date') ?? '',
          endDate: query.get('end_date') ?? '',
          ...(columns ? {columns: columns.split(',')} : {}),
        }),
      };
    }
    if (truth) return {status: 200, body: control.truth(collection, query.get('ad_account_id') ?? undefined)};
    if (route === 'POST /_sandbox/faults') return {status: 200, body: {faults: control.setFaults(b)}};
    if (route === 'DELETE /_sandbox/faults') {
      control.clearFaults();
      return {status: 200, body: {faults: {}}};
    }
    if (route === 'POST /_sandbox/limits') return {status: 200, body: {limits: control.setLimits(b)}};
    if (route === 'GET /_sandbox/limits') return {status: 200, body: {limits: control.setLimits({})}};
    if (route === 'POST /_sandbox/limits/exhaust') {
      control.exhaust(String(b.category) as RateCategory);
      return {status: 200, body: {exhausted: b.category}};
    }
    if (route === 'GET /_sandbox/stats') return {status: 200, body: control.stats()};
    if (route === 'POST /_sandbox/stats/reset') {
      control.resetStats();
      return {status: 200, body: control.stats()};
    }
    if (route === 'GET /_sandbox/tokens') return {status: 200, body: control.tokens()};
    if (route === 'GET /_sandbox/users') return {status: 200, body: {users: control.users()}};
    if (route === 'POST /_sandbox/reports') {
      const status = String(b.status) as 'FAILED' | 'EXPIRED' | 'CANCELLED';
      return {
        status: 200,
        body: control.forceReport(status, b.token === undefined ? undefined : String(b.token)),
      };
    }
    return {status: 404, body: {error: `no control route ${route}`}};
  } catch (e) {
    if (
      e instanceof SandboxControlError ||
      e instanceof ApiError ||
      e instanceof RangeError ||
      e instanceof SyntaxError
    ) {
      return {status: 400, body: {error: e.message}};
    }
    throw e;
  }
}
