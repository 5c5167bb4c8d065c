import { timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { AuthEnv } from '../auth/auth.middleware.js';
import { requestOf, SESSION_COOKIE, type Authenticator } from '../auth/authenticator.js';
import { sentFromThisSite } from '../auth/cross-site.middleware.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import { isHttps } from '../http/request-scheme.js';
import type { ModelsService } from '../models/models.service.js';
import { pageVisitor, type PageGuard } from './page-guard.js';
import { labelerHomePage, openModeSignInPage, signInPage, signOutPage } from './sign-in.page.js';

// A next page that is not a short string (the page guard puts a page's whole URL there) is dropped, not a reason to refuse the key.
const signInForm = z.object({ key: z.string().trim().min(1).max(512), next: z.string().max(2048).optional().catch(undefined) });
// The header's one-click form carries no token: the browser's own Origin says where it came from.
const signOutForm = z.object({ csrf: z.string().min(1).max(256).optional() });

/**
 * Only a path on this server (never `//host` or a scheme): signing in cannot redirect elsewhere.
 * Printable ASCII only, as a browser sends a URL: a control character or a non-Latin-1 one cannot
 * go in a Location header.
 */
function safeNext(next: string | undefined, fallback: string): string {
  return next && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) && !next.startsWith('/ui/sign-') ? next : fallback;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The form's fields; none when the body is not a form that parses (a broken multipart body throws). */
async function formBody(c: Context): Promise<Record<string, unknown>> {
  try {
    return await c.req.parseBody();
  } catch {
    return {};
  }
}

/** `/ui/sign-in`, `/ui/sign-out` and `/ui/label` (where a labeler lands). */
export function signInRoutes(auth: Authenticator, models: ModelsService, page: PageGuard) {
  return new Hono<AuthEnv>()
    .get('/ui/sign-in', async (c) => {
      const next = c.req.query('next');
      const via = (await pageVisitor(auth, c))?.via;
      if (via === 'open') return c.html(openModeSignInPage(safeNext(next, '/')), 200);
      // Signed in already (to sign in with another key): the header offers sign-out, as every page does.
      return c.html(signInPage({ next: safeNext(next, ''), via: via === 'session' ? via : undefined }), 200);
    })
    .post('/ui/sign-in', async (c) => {
      const form = signInForm.safeParse(await formBody(c));
      const next = form.success ? form.data.next : undefined;
      // While no key exists none can be right: the refusal says why, not that the key is wrong.
      const refuse = async (error: string, status: 400 | 401 | 403) =>
        c.html((await auth.keys.isOpen(requestOf(c))) ? openModeSignInPage(safeNext(next, '/')) : signInPage({ next: safeNext(next, ''), error }), status);
      if (!form.success) return refuse('Enter an API key.', 400);
      try {
        const { cookie, session } = await auth.sessions.signIn(form.data.key);
        setCookie(c, SESSION_COOKIE, cookie, {
          httpOnly: true,
          sameSite: 'Strict',
          secure: isHttps(c),
          path: '/',
          maxAge: auth.sessions.ttlSeconds,
        });
        const home = session.principal.role === 'admin' ? '/' : '/ui/label';
        // The dashboard is admins' only: a labeler who opened it (the first page anyone opens) lands on their own pages.
        return c.redirect(safeNext(next === '/' ? home : next, home), 303);
      } catch (err) {
        if (err instanceof UnauthorizedError) return refuse('That key is unknown or revoked.', 401);
        if (err instanceof ForbiddenError) return refuse(err.message, 403);
        throw err;
      }
    })
    .get('/ui/sign-out', page('ingest', 'label'), (c) => {
      const a = c.get('authentication');
      if (a.via !== 'session') return c.redirect('/', 303);
      return c.html(signOutPage(a.principal, a.session.csrfToken));
    })
    .post('/ui/sign-out', page('ingest', 'label'), async (c) => {
      const a = c.get('authentication');
      const form = signOutForm.safeParse(await formBody(c));
      if (a.via !== 'session') return c.redirect('/', 303);
      // A token, when sent, must be the session's; without one the browser must say the form is this site's (another site's Origin never gets here).
      const token = form.success ? form.data.csrf : '';
      const proven = token === undefined ? sentFromThisSite(c) : token !== '' && sameToken(token, a.session.csrfToken);
      if (!proven) throw new ForbiddenError('The sign-out form is stale or came from another site; sign out from /ui/sign-out');
      await auth.sessions.signOut(a.cookie);
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure: isHttps(c) });
      return c.redirect('/ui/sign-in', 303);
    })
    .get('/ui/label', page('label'), async (c) => c.html(labelerHomePage(c.get('authentication'), (await models.list()).map((m) => m.name))));
}
