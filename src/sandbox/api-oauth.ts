/**
 * POST /v5/oauth/token (notes/pinterest-api.md §6); category org_read (§7). The app's client credentials are
 * checked first (a wrong secret is invalid client, never a refused grant); the server hands this route the user
 * whose refresh token is presented (or the first user when nobody holds it, who then refuses it).
 */
import {INVALID_CLIENT, invalidParameter} from './api-error';
import {Route, ok} from './route';

export const TOKEN_PATH = '/v5/oauth/token';

/** The refresh token a token request presents, for finding its user before the route runs. */
export function presentedRefreshToken(body: Buffer): string | null {
  return new URLSearchParams(body.toString('utf8')).get('refresh_token');
}

export const OAUTH_ROUTES: Route[] = [
  {
    method: 'POST',
    template: TOKEN_PATH,
    categories: ['org_read'],
    auth: false,
    handle: (state, req) => {
      const {clientId, clientSecret} = state.options;
      const expected = 'Basic ' + Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
      if (req.headers.authorization !== expected) throw INVALID_CLIENT();
      const form = new URLSearchParams(req.body.toString('utf8'));
      const grant = form.get('grant_type');
      if (grant !== 'refresh_token') {
        // [I] live wording for other grants not recorded.
        throw invalidParameter(
          `Invalid grant_type: ${grant ?? '(missing)'}; the sandbox supports refresh_token`
        );
      }
      const body = state.tokens.refresh(form.get('refresh_token'));
      state.stats.tokenRefreshed();
      return ok(body);
    },
  },
];
