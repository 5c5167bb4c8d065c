import { Hono } from 'hono';
import type { AuthEnv } from '../../auth/auth.middleware.js';
import type { DriftReportService } from '../../drift/report/report.service.js';
import type { ModelsService } from '../../models/models.service.js';
import type { PageGuard } from '../page-guard.js';
import { modelNotFoundPage } from '../not-found.page.js';
import { reportPage } from './report.page.js';

/** `/ui/models/{model}/report`: the drift report page. Admins only, as the dashboard (the JSON report stays open to any valid key). */
export function reportPageRoutes(models: ModelsService, reports: DriftReportService, page: PageGuard) {
  return new Hono<AuthEnv>().get('/ui/models/:model/report', page(), async (c) => {
    const name = c.req.param('model');
    const model = await models.find(name);
    const via = c.get('authentication').via;
    if (!model) return c.html(modelNotFoundPage(name, via), 404);
    return c.html(reportPage(await reports.build(model), via), 200);
  });
}
