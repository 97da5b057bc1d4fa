// WEBServer's grant rules, token store and rate limiter, as NSClient++'s grant_store, token_store
// and auth_rate_limiter behave (their numbers: 8 h tokens, 4096 of them, 10 failures → 60 s).
import { describe, expect, it } from 'vitest';
import { AuthRateLimiter, DEFAULT_ROLES, RoleTable, TokenStore, WebAuthSettingsError, parsePasswordHash, ruleAllows } from '@poets/agent';

const allows = (rule: string, need: string): boolean => ruleAllows(rule.split('.'), need.split('.'));

describe('WEBServer grants', () => {
  it('matches word by word, `*` allowing the rest, and needs the same length otherwise', () => {
    expect(allows('*', 'anything')).toBe(true);
    expect(allows('*', 'foo.bar')).toBe(true);
    expect(allows('foo.*', 'foo.bar')).toBe(true);
    expect(allows('foo.*', 'bar.foo')).toBe(false);
    expect(allows('foo.*', 'foo')).toBe(false);
    expect(allows('a.b', 'a.b')).toBe(true);
    expect(allows('a.b', 'a')).toBe(false);
    expect(allows('a.b', 'a.b.c')).toBe(false);
    expect(allows('a.b', 'a.c')).toBe(false);
    expect(allows('info.get', 'info.get.version')).toBe(false);
  });

  it("has NSClient++'s default roles, replaced by a configured one, and an unknown role allows nothing", () => {
    const table = new RoleTable({ ...DEFAULT_ROLES, client: 'queries.list', mine: 'legacy, login.get ,queries.*' });
    expect(new RoleTable().allows('full', 'settings.put')).toBe(true);
    expect(new RoleTable().allows('client', 'queries.execute')).toBe(true);
    expect(new RoleTable().allows('client', 'settings.put')).toBe(false);
    expect(new RoleTable().allows('monitoring', 'metrics.get')).toBe(true);
    expect(new RoleTable().has('legacy')).toBe(false);
    expect(table.allows('client', 'queries.execute')).toBe(false);
    expect(table.allows('mine', 'login.get')).toBe(true);
    expect(table.allows('mine', 'queries.execute')).toBe(true);
    expect(table.allows('nobody', 'public')).toBe(false);
    // asked twice: the remembered answer is the same
    expect(table.allows('mine', 'queries.execute')).toBe(true);
  });
});

describe('WEBServer tokens', () => {
  it('are 32 letters and digits, expire after 8 hours and can be revoked', () => {
    let now = 1_000_000;
    const store = new TokenStore({ now: () => now });
    const token = store.issue('admin');
    expect(token).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(store.userOf(token)).toBe('admin');
    now += 8 * 3600 * 1000;
    expect(store.userOf(token)).toBe('admin');
    now += 1;
    expect(store.userOf(token)).toBeUndefined();
    const other = store.issue('bob');
    expect(store.revoke(other)).toBe(true);
    expect(store.userOf(other)).toBeUndefined();
  });

  it('are at most maxTokens alive: a new one drops the oldest', () => {
    let now = 0;
    const store = new TokenStore({ maxTokens: 3, now: () => now });
    const issued = [1, 2, 3, 4, 5].map(() => {
      now++;
      return store.issue('u');
    });
    expect(store.size).toBe(3);
    expect(issued.map((t) => store.userOf(t) !== undefined)).toEqual([false, false, true, true, true]);
    expect(new TokenStore().maxTokens).toBe(4096);
  });
});

describe('WEBServer rate limit of wrong credentials', () => {
  it('blocks a peer for 60 s after 10 failures, per peer; a success forgets the count', () => {
    let now = 0;
    const limiter = new AuthRateLimiter({ now: () => now });
    for (let i = 0; i < 9; i++) expect(limiter.failure('10.0.0.1')).toBe(false);
    limiter.success('10.0.0.1');
    for (let i = 0; i < 9; i++) limiter.failure('10.0.0.1');
    expect(limiter.blockedFor('10.0.0.1')).toBe(0);
    expect(limiter.failure('10.0.0.1')).toBe(true);
    expect(limiter.blockedFor('10.0.0.1')).toBe(60);
    expect(limiter.blockedFor('10.0.0.2')).toBe(0);
    now += 59_000;
    expect(limiter.blockedFor('10.0.0.1')).toBe(1);
    now += 1_000;
    expect(limiter.blockedFor('10.0.0.1')).toBe(0);
  });

  it('is off with 0 failures, and remembers a bounded number of peers', () => {
    const off = new AuthRateLimiter({ maxFailures: 0 });
    for (let i = 0; i < 20; i++) off.failure('p');
    expect(off.blockedFor('p')).toBe(0);
    const small = new AuthRateLimiter({ maxFailures: 2, maxPeers: 2 });
    small.failure('a');
    small.failure('b');
    small.failure('c'); // forgets a
    small.failure('a');
    expect(small.blockedFor('a')).toBe(0);
    small.failure('c');
    expect(small.blockedFor('c')).toBe(60);
  });
});

describe('WEBServer password hashes', () => {
  it("reads NSClient++'s pbkdf2-sha256 form, plain text as plain, and refuses a malformed hash", () => {
    expect(parsePasswordHash('s3cret', 'x')).toBeUndefined();
    expect(parsePasswordHash(`pbkdf2-sha256$1000$${'ab'.repeat(16)}$${'cd'.repeat(32)}`, 'x')).toMatchObject({ iterations: 1000 });
    expect(() => parsePasswordHash('pbkdf2-sha256$0$ab$cd', '/settings/WEB/server/users/bob')).toThrow(WebAuthSettingsError);
    expect(() => parsePasswordHash('pbkdf2-sha256$1000$abc$cd', 'x')).toThrow(/users|x: password/);
  });
});
