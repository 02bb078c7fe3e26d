/** The shape of one API route; templates are the spec's paths under /v5. */
import {IncomingHttpHeaders} from 'node:http';

import {RateCategory} from './options';
import {SandboxState} from './state';

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** http://127.0.0.1:<port>, for URLs the sandbox hands out. */
  origin: string;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export interface Route {
  method: 'GET' | 'POST';
  template: string;
  /** notes/pinterest-api.md §7 (spec `x-ratelimit-category`). */
  categories: readonly RateCategory[];
  /** Bearer token required (everything but the token endpoint). */
  auth: boolean;
  /** Subject to the analytics cost-limit fault. */
  analytics?: boolean;
  /** A paged list (`{items, bookmark}`): subject to the empty-listing fault. */
  list?: boolean;
  handle(state: SandboxState, req: ApiRequest): ApiResponse;
}

export interface CompiledRoute extends Route {
  regex: RegExp;
  keys: string[];
}

export function compile(route: Route): CompiledRoute {
  const keys: string[] = [];
  const pattern = route.template.replace(/\{(\w+)\}/g, (_m, key: string) => {
    keys.push(key);
    return '([^/]+)';
  });
  return {...route, regex: new RegExp(`^${pattern}$`), keys};
}

export function ok(body: unknown): ApiResponse {
  return {status: 200, body};
}
