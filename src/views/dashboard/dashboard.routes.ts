import { Hono } from 'hono';
import type { AuthEnv, RoleGuard } from '../../auth/auth.middleware.js';
import type { Clock } from '../../util/clock.js';
import { dashboardPage } from './dashboard.page.js';
import type { DashboardService } from './dashboard.service.js';

/** `/`: the dashboard of models. Any valid key may read; open mode needs none. */
export function dashboardRoutes(dashboard: DashboardService, clock: Clock, guard: RoleGuard) {
  return new Hono<AuthEnv>().get('/', guard('ingest', 'label'), async (c) => c.html(dashboardPage(await dashboard.rows(), clock.now()), 200));
}
