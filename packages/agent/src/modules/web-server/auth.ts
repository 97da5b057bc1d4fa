// WEBServer's users and who a request is, as NSClient++ decides it: the Authorization header
// (Basic user:password, or Bearer token) first, then the `password` header (user `admin`), then
// a token in the TOKEN or X-Auth-Token header (in the query string only for the user agents of
// `legacy query auth user agents`). Wrong credentials count toward the peer's rate limit.
// A password is checked once: the header that carried it is then remembered, so a request's
// authentication is a map lookup, not a hash.
import { pbkdf2, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { WebAuthSettingsError } from '../../errors.js';
import type { SettingsStore } from '../../settings.js';
import { settingsObjects, objectKey } from '../settings-objects.js';
import { AuthRateLimiter } from './rate-limit.js';
import { DEFAULT_ROLES, RoleTable } from './roles.js';
import { TokenStore } from './tokens.js';

export interface WebUser {
  name: string;
  role: string;
  /** Plain text, or NSClient++'s `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`. */
  password: string;
}

export interface WebAuthSettings {
  users: WebUser[];
  /** Role name → comma list of grants: NSClient++'s defaults, replaced by `[/settings/WEB/server/roles]`. */
  roles: Record<string, string>;
  allowAnonymous: boolean;
  maxFailures: number;
  blockSeconds: number;
  /** User-Agent substrings (matched without case) allowed to pass a token in the query string. */
  legacyQueryAuthUserAgents: string[];
}

const BASE = '/settings/WEB/server';
const PBKDF2_PREFIX = 'pbkdf2-sha256$';
/** The largest Authorization or password header looked at (NSClient++'s 8 KiB). */
const MAX_CREDENTIAL_BYTES = 8 * 1024;
/** Checked credentials remembered at most; beyond, the memory starts again. */
const MAX_REMEMBERED = 1024;

interface Pbkdf2Hash {
  iterations: number;
  salt: Buffer;
  hash: Buffer;
}

/** NSClient++'s stored hash, or undefined when `stored` is plain text; throws on a malformed hash. */
export function parsePasswordHash(stored: string, where: string): Pbkdf2Hash | undefined {
  if (!stored.startsWith(PBKDF2_PREFIX)) return undefined;
  const m = /^(\d+)\$([0-9a-fA-F]+)\$([0-9a-fA-F]+)$/.exec(stored.slice(PBKDF2_PREFIX.length));
  const iterations = Number(m?.[1]);
  if (m === null || iterations <= 0 || iterations > 1_000_000 || m[2]!.length % 2 !== 0 || m[3]!.length % 2 !== 0) {
    throw new WebAuthSettingsError(`${where}: password: not a pbkdf2-sha256$<iterations 1-1000000>$<salt hex>$<hash hex>`);
  }
  return { iterations, salt: Buffer.from(m[2]!, 'hex'), hash: Buffer.from(m[3]!, 'hex') };
}

/** Reads the users and roles; `adminPassword` is the server's `password` key (NSClient++'s admin user, role full). */
export function readWebAuthSettings(settings: SettingsStore, adminPassword: string, onWarning: (message: string) => void): WebAuthSettings {
  const allowAnonymous = settings.get_bool(BASE, 'allow anonymous access', false);
  const roles: Record<string, string> = { ...DEFAULT_ROLES };
  for (const name of settings.get_section(`${BASE}/roles`)) {
    if (name === 'anonymous' && !allowAnonymous) {
      onWarning(`${BASE}/roles: anonymous: ignored, allow anonymous access is false`);
      continue;
    }
    roles[name] = settings.get_string(`${BASE}/roles`, name, '');
  }
  const disableAdmin = settings.get_bool(BASE, 'disable admin user', false);
  const users: WebUser[] = [];
  const usersBase = `${BASE}/users`;
  for (const o of settingsObjects(settings, usersBase, 'password', new Set(['password', 'role', 'parent', 'is template']), onWarning)) {
    if (disableAdmin && o.name === 'admin') {
      onWarning(`${usersBase}/admin: ignored, disable admin user is true`);
      continue;
    }
    const role = objectKey(settings, usersBase, o.name, 'role')?.trim() ?? '';
    if (!(role in roles)) onWarning(`${usersBase}/${o.name}: role ${role || '(none)'} is not defined, the user is granted nothing`);
    parsePasswordHash(o.value, `${usersBase}/${o.name}`);
    users.push({ name: o.name, role, password: o.value });
  }
  if (!disableAdmin && !users.some((u) => u.name === 'admin')) users.push({ name: 'admin', role: 'full', password: adminPassword });
  return {
    users,
    roles,
    allowAnonymous,
    maxFailures: settings.get_int(BASE, 'auth rate limit max failures', 10),
    blockSeconds: settings.get_int(BASE, 'auth rate limit block seconds', 60),
    legacyQueryAuthUserAgents: settings
      .get_string(BASE, 'legacy query auth user agents', 'Icinga/check_nscp_api')
      .split(',')
      .map((a) => a.trim().toLowerCase())
      .filter((a) => a !== ''),
  };
}

/** Who a request is: a user (and the token it came with), or nobody with the logged reason. */
export type AuthOutcome = { ok: true; user?: string; token?: string } | { ok: false; reason: string };

function equalText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // Compared over the expected length either way, so the time does not tell how long it is.
  return timingSafeEqual(a.length === b.length ? a : b, b) && a.length === b.length;
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return typeof value === 'string' ? value : '';
}

export class WebAuth {
  readonly roles: RoleTable;
  readonly tokens: TokenStore;
  readonly limiter: AuthRateLimiter;
  private readonly users = new Map<string, { role: string; password: string; hash: Pbkdf2Hash | undefined }>();
  /** Credential headers already checked → their user. */
  private readonly checked = new Map<string, string>();
  private readonly decoy: Pbkdf2Hash | undefined;

  constructor(
    readonly settings: WebAuthSettings,
    private readonly onReject: (message: string) => void = () => {},
  ) {
    this.roles = new RoleTable(settings.roles);
    this.tokens = new TokenStore();
    this.limiter = new AuthRateLimiter({ maxFailures: settings.maxFailures, blockSeconds: settings.blockSeconds });
    let hashed: Pbkdf2Hash | undefined;
    for (const u of settings.users) {
      const hash = parsePasswordHash(u.password, `${BASE}/users/${u.name}`);
      hashed ??= hash;
      this.users.set(u.name, { role: u.role, password: u.password, hash });
    }
    // An unknown user costs what a hashed password costs, so the time does not tell who exists.
    this.decoy = hashed === undefined ? undefined : { iterations: hashed.iterations, salt: Buffer.alloc(16), hash: Buffer.alloc(32) };
  }

  /** Whether `user` (undefined: an anonymous request) holds `grant`. */
  can(user: string | undefined, grant: string): boolean {
    if (user === undefined) return this.settings.allowAnonymous && this.roles.allows('anonymous', grant);
    const role = this.users.get(user)?.role;
    return role !== undefined && this.roles.allows(role, grant);
  }

  roleOf(user: string): string | undefined {
    return this.users.get(user)?.role;
  }

  /** Who `req` from `peer` is; a Promise only when a hashed password is checked for the first time. */
  identify(req: IncomingMessage, peer: string): AuthOutcome | Promise<AuthOutcome> {
    const authorization = header(req, 'authorization');
    if (authorization !== '') {
      if (/^basic /i.test(authorization)) {
        return this.password(peer, `b${authorization}`, authorization.length, () => {
          const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
          const at = decoded.indexOf(':');
          return at < 0 ? [decoded, ''] : [decoded.slice(0, at), decoded.slice(at + 1)];
        });
      }
      if (/^bearer /i.test(authorization)) {
        const blocked = this.blocked(peer);
        if (blocked !== undefined) return blocked;
        const token = authorization.slice(7).trim();
        const user = this.tokens.userOf(token);
        if (user === undefined) return this.failed(peer, 'invalid or expired bearer token');
        this.limiter.success(peer);
        return { ok: true, user, token };
      }
      return { ok: false, reason: `unknown authentication scheme ${authorization.split(' ')[0] ?? ''}` };
    }
    const password = header(req, 'password');
    if (password !== '') return this.password(peer, `p${password}`, password.length, () => ['admin', password]);
    const token = this.findToken(req, peer);
    if (token === '') return this.settings.allowAnonymous ? { ok: true } : { ok: false, reason: 'no credentials given' };
    const user = this.tokens.userOf(token);
    return user === undefined ? { ok: false, reason: 'invalid or expired token' } : { ok: true, user, token };
  }

  private findToken(req: IncomingMessage, peer: string): string {
    const direct = header(req, 'token') || header(req, 'x-auth-token');
    if (direct !== '') return direct;
    const url = req.url ?? '';
    if (!/[?&](__)?TOKEN=/.test(url)) return '';
    const query = new URL(url, 'http://agent').searchParams;
    const token = query.get('TOKEN') || query.get('__TOKEN') || '';
    const agent = header(req, 'user-agent').toLowerCase();
    if (token !== '' && agent !== '' && this.settings.legacyQueryAuthUserAgents.some((a) => agent.includes(a))) return token;
    this.onReject(`${peer}: token in the query string refused (only the user agents of legacy query auth user agents may send one there)`);
    return '';
  }

  private blocked(peer: string): AuthOutcome | undefined {
    const seconds = this.limiter.blockedFor(peer);
    return seconds > 0 ? { ok: false, reason: `rate-limited: too many failed logins from ${peer} (blocked ${seconds} s more)` } : undefined;
  }

  private failed(peer: string, reason: string): AuthOutcome {
    const blocks = this.limiter.failure(peer);
    return { ok: false, reason: blocks ? `${reason}; ${peer} now blocked for ${this.limiter.blockSeconds} s` : reason };
  }

  /** A user and password check: remembered by the header that carried them. */
  private password(peer: string, key: string, size: number, credentials: () => [string, string]): AuthOutcome | Promise<AuthOutcome> {
    const blocked = this.blocked(peer);
    if (blocked !== undefined) return blocked;
    const known = this.checked.get(key);
    if (known !== undefined) {
      this.limiter.success(peer);
      return { ok: true, user: known };
    }
    if (size > MAX_CREDENTIAL_BYTES) return this.failed(peer, `credentials of ${size} bytes (over ${MAX_CREDENTIAL_BYTES})`);
    const [name, password] = credentials();
    const settle = (ok: boolean): AuthOutcome => {
      // The reason never says whether the user exists: that would be an oracle.
      if (!ok) return this.failed(peer, 'wrong user or password');
      if (this.checked.size >= MAX_REMEMBERED) this.checked.clear();
      this.checked.set(key, name);
      this.limiter.success(peer);
      return { ok: true, user: name };
    };
    const user = this.users.get(name);
    if (password === '' || (user === undefined && this.decoy === undefined)) return settle(false);
    const hash = user === undefined ? this.decoy : user.hash;
    if (hash === undefined) return settle(equalText(password, user!.password));
    return new Promise((resolve) => {
      pbkdf2(password, hash.salt, hash.iterations, hash.hash.length, 'sha256', (error, derived) => {
        resolve(settle(error === null && user !== undefined && timingSafeEqual(derived, hash.hash)));
      });
    });
  }
}
