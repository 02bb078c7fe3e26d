/**
 * Async reports (notes/pinterest-api.md §4): create -> token; polls answer IN_PROGRESS a configurable number of
 * times, then FINISHED with a pre-signed-style `url` valid five minutes and `size`; the report itself is valid one
 * hour (then EXPIRED). FAILED / EXPIRED / CANCELLED on command. The file is BY_ID JSON: `{"<id>": [rows]}`.
 */
import {createHash} from 'node:crypto';

import {ApiError, invalidParameter} from './api-error';
import {hash32, Rand} from './rng';

export type ReportStatus = 'DOES_NOT_EXIST' | 'FINISHED' | 'IN_PROGRESS' | 'EXPIRED' | 'FAILED' | 'CANCELLED';

// notes/pinterest-api.md §4: "The link is valid for five minutes and the report is valid for one hour".
export const REPORT_URL_TTL_MS = 5 * 60_000;
export const REPORT_TTL_MS = 60 * 60_000;

export interface ReportRequest {
  scope: number;
  level: 'PIN_PROMOTION' | 'CAMPAIGN' | 'AD_GROUP';
  columns: string[];
  granularity: 'DAY' | 'TOTAL';
  startDay: number;
  endDay: number;
  ids?: string[];
}

interface Job {
  token: string;
  request: ReportRequest;
  polls: number;
  status: ReportStatus;
  finishedAtMs?: number;
  body?: Buffer;
}

export interface ReportDeps {
  nowMs: () => number;
  seed: number;
  pollsUntilFinished: number;
  /** Builds the file content as of a sandbox time. */
  build: (request: ReportRequest, atMs: number) => Record<string, unknown[]>;
}

export class ReportService {
  private readonly jobs = new Map<string, Job>();
  private counter = 0;

  constructor(private readonly deps: ReportDeps) {}

  create(request: ReportRequest): {token: string; report_status: ReportStatus; message: string | null} {
    this.counter++;
    const token = new Rand(hash32(this.deps.seed, 0x4e7, this.counter)).hex(32);
    this.jobs.set(token, {token, request, polls: 0, status: 'IN_PROGRESS'});
    return {token, report_status: 'IN_PROGRESS', message: null};
  }

  private sign(token: string, issuedMs: number): string {
    return createHash('sha256').update(`${this.deps.seed}|${token}|${issuedMs}`).digest('hex');
  }

  poll(
    scope: number,
    token: string,
    origin: string
  ): {report_status: ReportStatus; url: string | null; size: number | null} {
    const job = this.jobs.get(token);
    if (!job || job.request.scope !== scope) return {report_status: 'DOES_NOT_EXIST', url: null, size: null};
    const now = this.deps.nowMs();
    if (job.status === 'IN_PROGRESS') {
      job.polls++;
      if (job.polls > this.deps.pollsUntilFinished) {
        job.status = 'FINISHED';
        job.finishedAtMs = now;
        job.body = Buffer.from(JSON.stringify(this.deps.build(job.request, now)));
      }
    }
    if (
      job.status === 'FINISHED' &&
      job.finishedAtMs !== undefined &&
      now - job.finishedAtMs >= REPORT_TTL_MS
    ) {
      job.status = 'EXPIRED';
      job.body = undefined;
    }
    if (job.status !== 'FINISHED' || !job.body) return {report_status: job.status, url: null, size: null};
    const date = new Date(now)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const url =
      `${origin}/_reports/${token}.json?X-Amz-Date=${date}&X-Amz-Expires=${REPORT_URL_TTL_MS / 1000}` +
      `&X-Amz-Signature=${this.sign(token, now)}&issued=${now}`;
    return {report_status: 'FINISHED', url, size: job.body.length};
  }

  /** GET /_reports/<token>.json?...: 403 with S3's XML once the link is older than five minutes. */
  download(token: string, query: URLSearchParams): {status: number; body: Buffer; contentType: string} {
    const issued = Number(query.get('issued'));
    const job = this.jobs.get(token);
    const denied = (message: string): {status: number; body: Buffer; contentType: string} => ({
      status: 403,
      contentType: 'application/xml',
      body: Buffer.from(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${message}</Message></Error>`
      ),
    });
    if (!job?.body || query.get('X-Amz-Signature') !== this.sign(token, issued))
      return denied('Access Denied');
    if (this.deps.nowMs() - issued >= REPORT_URL_TTL_MS) return denied('Request has expired');
    return {status: 200, contentType: 'application/json', body: job.body};
  }

  /** Forces a job (or every unfinished one when no token) into FAILED / EXPIRED / CANCELLED. */
  force(status: 'FAILED' | 'EXPIRED' | 'CANCELLED', token?: string): string[] {
    const changed: string[] = [];
    for (const job of this.jobs.values()) {
      if (token !== undefined ? job.token !== token : job.status !== 'IN_PROGRESS') continue;
      job.status = status;
      job.body = undefined;
      changed.push(job.token);
    }
    if (token !== undefined && changed.length === 0) throw invalidParameter(`Unknown report token ${token}`);
    return changed;
  }
}

export function reportRangeError(): ApiError {
  // notes/pinterest-api.md §4 [P] (airbytehq/airbyte PR #7493).
  return invalidParameter('The time range specified is too large, it must be less than 186 days');
}
