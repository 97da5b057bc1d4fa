// WEBServer's roles and grants, as NSClient++ matches them: a role is a comma list of rules, a
// rule and a needed grant are dot-separated words, and a rule allows a grant when each of its
// words equals the grant's word at the same place until a `*` (which allows the rest). Without a
// `*` the rule must be exactly as long as the grant: `info.get` does not allow `info.get.version`.

/** NSClient++'s built-in roles; a role of the same name in `[/settings/WEB/server/roles]` replaces one. */
export const DEFAULT_ROLES: Readonly<Record<string, string>> = {
  full: '*',
  client: 'public,info.get,info.get.version,queries.list,queries.get,queries.execute,aliases.list,login.get,modules.list',
  monitoring: 'public,queries.execute,aliases.list,login.get,metrics.get',
};

/** Whether one rule (split at dots) allows the needed grant (split at dots). */
export function ruleAllows(rule: readonly string[], need: readonly string[]): boolean {
  for (let i = 0; i < need.length; i++) {
    const word = rule[i];
    if (word === undefined) return false;
    if (word === '*') return true;
    if (word !== need[i]) return false;
  }
  return rule.length === need.length;
}

/** The grant rules of a comma list, blanks dropped. */
export function parseRules(list: string): string[][] {
  return list
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '')
    .map((r) => r.split('.'));
}

/** Roles by name; each answer is remembered, so a request's grant check is one map lookup. */
export class RoleTable {
  private readonly rules = new Map<string, string[][]>();
  private readonly answers = new Map<string, Map<string, boolean>>();

  constructor(roles: Readonly<Record<string, string>> = DEFAULT_ROLES) {
    for (const [name, list] of Object.entries(roles)) this.set(name, list);
  }

  set(role: string, list: string): void {
    this.rules.set(role, parseRules(list));
    this.answers.delete(role);
  }

  has(role: string): boolean {
    return this.rules.has(role);
  }

  names(): string[] {
    return [...this.rules.keys()];
  }

  /** Whether `role` allows `grant`; an unknown role allows nothing. */
  allows(role: string, grant: string): boolean {
    let known = this.answers.get(role);
    const answer = known?.get(grant);
    if (answer !== undefined) return answer;
    const rules = this.rules.get(role);
    if (rules === undefined) return false;
    const need = grant.split('.');
    const allowed = rules.some((rule) => ruleAllows(rule, need));
    if (known === undefined) this.answers.set(role, (known = new Map()));
    // Grants are the routes' fixed names plus a runtime's name: few, so the memo stays small.
    if (known.size < 1024) known.set(grant, allowed);
    return allowed;
  }
}
