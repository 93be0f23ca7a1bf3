// Loopback web mode's gatekeeping: the request must name our own host (DNS rebinding),
// come from our own origin (CSRF from other sites), and carry the session token.
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

export function cookieName(port: number): string {
  return `effconv_token_${port}`;
}

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

function tokenEquals(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function readCookie(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

/** Host and Origin checks: 403 for anything that is not this loopback server. */
export function checkOrigin(req: IncomingMessage, port: number): Verdict {
  const hosts = allowedHosts(port);
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) return { ok: false, status: 403, reason: `Host "${host}" is not this loopback server` };
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let o: URL;
    try {
      o = new URL(origin);
    } catch {
      return { ok: false, status: 403, reason: `malformed Origin "${origin}"` };
    }
    if (o.protocol !== 'http:' || !hosts.has(o.host.toLowerCase())) return { ok: false, status: 403, reason: `Origin "${origin}" is not allowed` };
  } else if (origin === 'null') {
    return { ok: false, status: 403, reason: 'opaque Origin is not allowed' };
  }
  if (req.headers['sec-fetch-site'] === 'cross-site') return { ok: false, status: 403, reason: 'cross-site request' };
  return { ok: true };
}

/** The token from the Authorization header, the session cookie, or (page loads) the query. */
export function presentedToken(req: IncomingMessage, url: URL, port: number): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return readCookie(req, cookieName(port)) ?? url.searchParams.get('token');
}

export function checkToken(presented: string | null, token: string): Verdict {
  if (!presented) return { ok: false, status: 401, reason: 'no token: open the URL that `effconv serve` printed' };
  if (!tokenEquals(presented, token)) return { ok: false, status: 401, reason: 'wrong token' };
  return { ok: true };
}
