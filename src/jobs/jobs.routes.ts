import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AuthEnv, RoleGuard } from '../auth/auth.middleware.js';
import { NotFoundError } from '../errors.js';
import { errorResponses, keyRule } from '../http/common.schemas.js';
import { validationHook } from '../http/validation.js';
import type { JobRunner } from './job-runner.js';
import { jobBody, jobParams, jobSchema, type JobResultType } from './jobs.schemas.js';

/**
 * Reading and canceling background jobs; `results` says how a succeeded job's result reads and is
 * described. Not generic over the result's type: TypeScript cannot emit the declaration of a
 * generic route type this large (TS7056, in npm run build:client), so the client sees `unknown`.
 */
export function jobsRoutes(jobs: JobRunner, guard: RoleGuard, results: JobResultType<unknown>) {
  const schema = jobSchema(results.schema);
  const get = createRoute({
    method: 'get',
    path: '/v1/jobs/{id}',
    summary: 'A job: status, progress per epoch, result or error',
    ...keyRule(guard),
    request: { params: jobParams },
    responses: {
      200: { description: 'The job', content: { 'application/json': { schema } } },
      ...errorResponses(401, 403, 404),
    },
  });
  const cancel = createRoute({
    method: 'post',
    path: '/v1/jobs/{id}/cancel',
    summary: 'Cancel a queued or running job (a running one stops at its next batch)',
    ...keyRule(guard),
    request: { params: jobParams },
    responses: {
      200: { description: 'The job after the cancel request', content: { 'application/json': { schema } } },
      ...errorResponses(401, 403, 404, 409),
    },
  });

  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook })
    .openapi(get, async (c) => {
      const { id } = c.req.valid('param');
      const job = await jobs.get(id);
      if (!job) throw new NotFoundError(`Job '${id}' does not exist`);
      return c.json(jobBody(job, results), 200);
    })
    .openapi(cancel, async (c) => {
      const { id } = c.req.valid('param');
      const job = await jobs.cancel(id);
      if (!job) throw new NotFoundError(`Job '${id}' does not exist`);
      return c.json(jobBody(job, results), 200);
    });
}
