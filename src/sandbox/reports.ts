/**
 * Async reports (notes/pinterest-api.md §4 and §10): create -> token; polls answer IN_PROGRESS a configurable
 * number of times, then FINISHED with a pre-signed-style `url` to a `.txt` file, valid five minutes, and `size`;
 * the report is valid one hour (then EXPIRED). As live: an identical create request returns the same token
 * while that report lives, FINISHED with "This job has already finished processing..." once done; tokens are
 * 388 characters of URL-safe base64 with `-`, `_` and `==` inside. FAILED / EXPIRED / CANCELLED on command.
 * The file is BY_ID JSON: `{"<id>": [rows]}`.
 */
import {createHash} from 'node:crypto';

import {ApiError, invalidParameter} from './api-error';
import type {AnalyticsLevel} from './analytics';

export type ReportStatus = 'DOES_NOT_EXIST' | 'FINISHED' | 'IN_PROGRESS' | 'EXPIRED' | 'FAILED' | 'CANCELLED';

// notes/pinterest-api.md §4: "The link is valid for five minutes and the report is valid for one hour".
export const REPORT_URL_TTL_MS = 5 * 60_000;
export const REPORT_TTL_MS = 60 * 60_000;
export const REPORT_FILE_PREFIX = '/_reports/async_reporting_v3/';
const REPORT_FILE_NAME = 'metrics_report.txt';

export interface ReportRequest {
  scope: number;
  /** The ad account's id (names the report file, as live). */
  accountId: string;
  level: AnalyticsLevel;
  columns: string[];
  granularity: 'DAY' | 'TOTAL';
  startDay: number;
  endDay: number;
  /** Optional id filters (campaign_ids, ad_group_ids, ad_ids). */
  filters: Partial<Record<'campaign_ids' | 'ad_group_ids' | 'ad_ids', string[]>>;
  /** The request as sent (keys sorted): identical requests share a report. */
  canonical: string;
}

interface Job {
  token: string;
  fileId: string;
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

type FileAnswer = {status: number; body: Buffer; contentType: string};

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** `20260709T115937Z` (X-Amz-Date). */
function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function parseAmzDate(text: string | null): number {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(text ?? '');
  return m ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : NaN;
}

function denied(message: string): FileAnswer {
  return {
    status: 403,
    contentType: 'application/xml',
    body: Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${message}</Message></Error>`
    ),
  };
}

export class ReportService {
  private readonly jobs = new Map<string, Job>();
  private readonly byRequest = new Map<string, Job>();
  private readonly files = new Map<string, Job>();
  private generation = 0;

  constructor(private readonly deps: ReportDeps) {}

  /** Live tokens: 16 bytes then 272 bytes, each URL-safe base64 with its padding (24 + 364 characters). */
  private mintToken(canonical: string): string {
    const key = sha256(`${this.deps.seed}|report-key`).subarray(0, 16);
    const parts: Buffer[] = [];
    for (let i = 0; i < 9; i++) parts.push(sha256(`${this.deps.seed}|${canonical}|${this.generation}|${i}`));
    const body = Buffer.concat(parts).subarray(0, 272).toString('base64url').split('');
    // Clients must URL-encode tokens: make sure both URL-safe extras occur, as in every recorded token.
    if (!body.includes('-')) body[7] = '-';
    if (!body.includes('_')) body[11] = '_';
    return `${key.toString('base64url')}==${body.join('')}=`;
  }

  /** FINISHED reports expire an hour after they finished. */
  private current(job: Job): Job {
    const now = this.deps.nowMs();
    if (
      job.status === 'FINISHED' &&
      job.finishedAtMs !== undefined &&
      now - job.finishedAtMs >= REPORT_TTL_MS
    ) {
      job.status = 'EXPIRED';
      job.body = undefined;
    }
    return job;
  }

  create(request: ReportRequest): {token: string; report_status: ReportStatus; message: string | null} {
    const existing = this.byRequest.get(request.canonical);
    if (existing) {
      const job = this.current(existing);
      if (job.status === 'IN_PROGRESS') return {token: job.token, report_status: job.status, message: null};
      if (job.status === 'FINISHED') {
        // The message recorded live (notes/pinterest-api.md §10).
        const message =
          'This job has already finished processing. Please make a GET request to this endpoint and pass in ' +
          `the token parameter ${job.token}`;
        return {token: job.token, report_status: 'FINISHED', message};
      }
    }
    this.generation++;
    const token = this.mintToken(request.canonical);
    const createdSec = Math.floor(this.deps.nowMs() / 1000);
    const serial = BigInt(`0x${sha256(token).toString('hex').slice(0, 15)}`) % 10_000_000_000_000_000n;
    const fileId = `${request.accountId}-${createdSec}-${serial.toString().padStart(16, '0')}`;
    const job: Job = {token, fileId, request, polls: 0, status: 'IN_PROGRESS'};
    this.jobs.set(token, job);
    this.files.set(fileId, job);
    this.byRequest.set(request.canonical, job);
    return {token, report_status: 'IN_PROGRESS', message: null};
  }

  private sign(fileId: string, date: string): string {
    return sha256(`${this.deps.seed}|${fileId}|${date}`).toString('hex');
  }

  poll(
    scope: number,
    token: string,
    origin: string
  ): {report_status: ReportStatus; url: string | null; size: number | null} {
    const found = this.jobs.get(token);
    if (!found || found.request.scope !== scope)
      return {report_status: 'DOES_NOT_EXIST', url: null, size: null};
    const job = this.current(found);
    const now = this.deps.nowMs();
    if (job.status === 'IN_PROGRESS') {
      job.polls++;
      if (job.polls > this.deps.pollsUntilFinished) {
        job.status = 'FINISHED';
        job.finishedAtMs = now;
        job.body = Buffer.from(JSON.stringify(this.deps.build(job.request, now)));
      }
    }
    if (job.status !== 'FINISHED' || !job.body) return {report_status: job.status, url: null, size: null};
    const date = amzDate(now);
    const url =
      `${origin}${REPORT_FILE_PREFIX}${job.fileId}/${REPORT_FILE_NAME}?X-Amz-Algorithm=AWS4-HMAC-SHA256` +
      `&X-Amz-Credential=SANDBOXREPORTS%2F${date.slice(0, 8)}%2Fus-east-1%2Fs3%2Faws4_request` +
      `&X-Amz-Date=${date}&X-Amz-Expires=${REPORT_URL_TTL_MS / 1000}&X-Amz-SignedHeaders=host` +
      `&X-Amz-Signature=${this.sign(job.fileId, date)}`;
    return {report_status: 'FINISHED', url, size: job.body.length};
  }

  /**
   * GET /_reports/async_reporting_v3/<file>/metrics_report.txt?X-Amz-...: the file, or 403 with S3's XML once
   * the link is older than five minutes; undefined when the file is not this user's.
   */
  download(path: string, query: URLSearchParams): FileAnswer | undefined {
    const fileId = path.slice(REPORT_FILE_PREFIX.length).split('/')[0] ?? '';
    const job = this.files.get(fileId);
    if (!job) return undefined;
    const date = query.get('X-Amz-Date') ?? '';
    if (
      !job.body ||
      !path.endsWith(`/${REPORT_FILE_NAME}`) ||
      query.get('X-Amz-Signature') !== this.sign(fileId, date)
    )
      return denied('Access Denied');
    if (!(this.deps.nowMs() - parseAmzDate(date) < REPORT_URL_TTL_MS)) return denied('Request has expired');
    return {status: 200, contentType: 'text/plain', body: job.body};
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

/** The 403 S3 gives for a report file nobody issued. */
export function unknownReportFile(): FileAnswer {
  return denied('Access Denied');
}

export function reportRangeError(): ApiError {
  // notes/pinterest-api.md §4 [P] (airbytehq/airbyte PR #7493).
  return invalidParameter('The time range specified is too large, it must be less than 186 days');
}
