import { createMiddleware } from 'hono/factory';
import { ValidationError } from '../errors.js';

/** C0 control characters and DEL, as they stand in the decoded path (`%00` decodes to U+0000). */
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Refuses, before routing, a path with a control character in any segment: no model name, id or
 * page has one, and U+0000 fails every PostgreSQL query that carries it (a 500). One check for
 * every path parameter of the API and the pages alike.
 */
export function refuseControlCharacters() {
  return createMiddleware(async (c, next) => {
    if (CONTROL.test(c.req.path)) throw new ValidationError('The path holds a control character (U+0000 to U+001F or U+007F): no name or id has one');
    return next();
  });
}
