/** POST /v5/oauth/token (notes/pinterest-api.md §6); category org_read (§7). */
import {Route, ok} from './route';

export const OAUTH_ROUTES: Route[] = [
  {
    method: 'POST',
    template: '/v5/oauth/token',
    categories: ['org_read'],
    auth: false,
    handle: (state, req) => {
      const body = state.tokens.refresh(
        req.headers.authorization,
        new URLSearchParams(req.body.toString('utf8'))
      );
      state.stats.tokenRefreshed();
      return ok(body);
    },
  },
];
