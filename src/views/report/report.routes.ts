import { Hono } from 'hono';
import type { AuthEnv, RoleGuard } from '../../auth/auth.middleware.js';
import type { DriftReportService } from '../../drift/report/report.service.js';
import type { ModelsService } from '../../models/models.service.js';
import { reportPage } from './report.page.js';

/** `/ui/models/{model}/report`: the drift report page. Any valid key may read. */
export function reportPageRoutes(models: ModelsService, reports: DriftReportService, guard: RoleGuard) {
  return new Hono<AuthEnv>().get('/ui/models/:model/report', guard('ingest', 'label'), async (c) => {
    const model = await models.get(c.req.param('model'));
    return c.html(reportPage(await reports.build(model)), 200);
  });
}
