import { timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// Hand-written: node:http checks none of this and a framework (with its own plugins) would be a dependency for ~80 lines.

/** Limits of what one request may carry (node answers 431 itself above the header limit). */
export const LIMITS = { headerBytes: 8 * 1024, bodyBytes: 4 * 1024, sseClients: 64, sseBufferBytes: 1024 * 1024 } as const;

/**
 * Whether a request's Host header names this server: an IP literal, `localhost`, this machine's name or the bound host.
 * A DNS-rebinding page reaches us under its own domain name, which none of these match.
 */
export function hostAllowed(hostHeader: string | undefined, boundHost: string): boolean {
  if (!hostHeader) return false;
  const name = hostName(hostHeader);
  if (name === null) return false;
  if (net.isIP(name)) return true;
  const allowed = new Set(['localhost', os.hostname().toLowerCase(), boundHost.toLowerCase()]);
  return allowed.has(name.toLowerCase());
}

/** The host part of a Host header (`[::1]:6006` → `::1`), or null when malformed. */
function hostName(header: string): string | null {
  if (header.startsWith('[')) {
    const end = header.indexOf(']');
    if (end < 0) return null;
    const rest = header.slice(end + 1);
    if (rest && !/^:\d{1,5}$/.test(rest)) return null;
    return header.slice(1, end);
  }
  const m = /^([A-Za-z0-9.-]+)(?::\d{1,5})?$/.exec(header);
  return m ? m[1] : null;
}

/** Whether an Origin header (sent by browsers on cross-site POSTs) is this server's own. */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true; // same-origin fetches of older browsers and non-browser clients
  try {
    return new URL(origin).host === hostHeader;
  } catch {
    return false;
  }
}

export function tokenMatches(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string' || given.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(token));
}

/**
 * The file a URL path below `/runs/` names inside `root`, or null when it would leave it: `..` segments (plain or
 * percent-encoded), encoded slashes, backslashes, NUL, dot-files, and symlinks pointing outside are all refused.
 */
export async function resolveUnder(root: string, rawPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (/[\\\0]/.test(decoded) || /%2f|%5c/i.test(rawPath)) return null;
  const parts = decoded.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '.' || p === '..' || p.startsWith('.'))) return null;
  const realRoot = await fs.realpath(root);
  const candidate = path.join(realRoot, ...parts);
  let real: string;
  try {
    real = await fs.realpath(candidate);
  } catch {
    return null;
  }
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return null;
  return real;
}
