import { Hono } from 'hono';
import type { AuthEnv } from '../../auth/auth.middleware.js';
import type { ModelsService } from '../../models/models.service.js';
import type { PageGuard } from '../page-guard.js';
import { modelNotFoundPage } from '../not-found.page.js';
import { labelPage, labelPageCsp } from './label-page.js';

/**
 * `/ui/models/{model}/label`, for labelers and admins. The page's API calls carry the session
 * cookie; a `label` key labels under its own name, so the page fixes the labeler to it.
 */
export function labelPageRoutes(models: ModelsService, page: PageGuard, imgSrc: string) {
  // On the first page served, not at start-up: the policy hashes the script esbuild bundles then.
  let csp: string | undefined;
  return new Hono<AuthEnv>().get('/ui/models/:model/label', page('label'), async (c) => {
    const name = c.req.param('model');
    const model = await models.find(name);
    const { principal, via } = c.get('authentication');
    if (!model) return c.html(modelNotFoundPage(name, via), 404);
    return c.html(labelPage({ model: model.name, labeler: principal.role === 'label' ? principal.keyName : null, signOut: via === 'session' }, via), 200, { 'content-security-policy': (csp ??= labelPageCsp(imgSrc)) });
  });
}
