import { Hono } from 'hono';
import type { AuthEnv } from '../../auth/auth.middleware.js';
import type { Clock } from '../../util/clock.js';
import type { PageGuard } from '../page-guard.js';
import { dashboardPage } from './dashboard.page.js';
import type { DashboardService } from './dashboard.service.js';

/** `/`: the dashboard of models, for admins (a signed-in admin, an admin key, or open mode). */
export function dashboardRoutes(dashboard: DashboardService, clock: Clock, page: PageGuard) {
  return new Hono<AuthEnv>().get('/', page(), async (c) => c.html(dashboardPage(await dashboard.rows(), clock.now(), c.get('authentication').via), 200));
}
