import { Hono } from 'hono';
import type { ApiKeysService } from '../../auth/api-keys.service.js';
import type { ModelsService } from '../../models/models.service.js';
import { LABEL_PAGE_CSP, labelPage, labelPageNotFound } from './label-page.js';

/** `/ui/models/{model}/label`: the page shell is public; its data comes from the API with the labeler's key. */
export function labelPageRoutes(models: ModelsService, keys: ApiKeysService) {
  return new Hono().get('/ui/models/:model/label', async (c) => {
    const name = c.req.param('model');
    const model = await models.find(name);
    if (!model) return c.html(labelPageNotFound(name), 404);
    return c.html(labelPage({ model: model.name, keyRequired: !(await keys.isOpen()) }), 200, { 'content-security-policy': LABEL_PAGE_CSP });
  });
}
