import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { tokenMatches } from './security.js';

// Hand-written: Jupyter's token → cookie scheme in ~60 lines; node:http has no session layer and a framework would be a dependency.

/**
 * Who may use the dashboard, as Jupyter does it: a secret printed in the URL `convkit serve` shows
 * (`/?token=…`); opening it sets an HttpOnly, SameSite=Strict cookie and redirects to the same path without the
 * token. Every request then needs the cookie, an `Authorization: token …` header or the `token` parameter; other
 * local users, who can connect to 127.0.0.1 too, get 401. The pages' POST (XSRF) token is a second, separate value.
 */
export interface Access {
  /** The secret; null when authentication is off (`--no-auth`). */
  secret: string | null;
  /** Name of the cookie: one per port, since cookies ignore ports and two dashboards may share a host. */
  cookie: string;
}

export type Verdict = { ok: true } | { ok: false; status: 401 } | { ok: true; redirect: string; setCookie: string };

export function newSecret(): string {
  return randomBytes(24).toString('hex');
}

export function accessFor(secret: string | null, port: number): Access {
  return { secret, cookie: `convkit-auth-${port}` };
}

/** A secret given by the user (`--token`, CONVKIT_TOKEN) must be long enough not to be guessed. */
export function checkSecret(s: string): string | null {
  if (s.length < 16) return 'the dashboard token must have at least 16 characters';
  if (!/^[\x21-\x7e]+$/.test(s)) return 'the dashboard token must be printable ASCII without spaces';
  return null;
}

/** Whether a request may go on; a page opened with a right `?token=` gets the cookie and a redirect without it. */
export function authorise(req: http.IncomingMessage, pathname: string, params: URLSearchParams, access: Access): Verdict {
  const { secret } = access;
  if (secret === null) return { ok: true };
  if (tokenMatches(cookieValue(req.headers.cookie, access.cookie), secret)) return { ok: true };
  const auth = req.headers.authorization;
  const m = typeof auth === 'string' ? /^(?:token|bearer)\s+(\S+)$/i.exec(auth) : null;
  if (m && tokenMatches(m[1], secret)) return { ok: true };
  if (tokenMatches(params.get('token') ?? undefined, secret)) {
    const cookie = `${access.cookie}=${secret}; HttpOnly; SameSite=Strict; Path=/`;
    if ((req.method === 'GET' || req.method === 'HEAD') && !pathname.startsWith('/api/')) {
      params.delete('token');
      const rest = params.toString();
      return { ok: true, redirect: pathname + (rest ? `?${rest}` : ''), setCookie: cookie };
    }
    return { ok: true };
  }
  return { ok: false, status: 401 };
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}
