import { describe, expect, it } from 'vitest';
import { FilterError } from '../../src/errors.js';
import { evaluateCheck, parseArguments, runCheck, type CheckDefinition } from '../../src/modules/filter/check.js';
import { evaluate, parseExpression, type KeywordTable } from '../../src/modules/filter/expression.js';

interface Disk { name: string; used: number; size: number; fs: string }
const GiB = 1024 ** 3;
const keywords: KeywordTable<Disk> = {
  used: { kind: 'size', description: 'used bytes', value: (d) => d.used, percentOf: (d) => d.size },
  size: { kind: 'size', description: 'size', value: (d) => d.size },
  name: { kind: 'string', description: 'name', value: (d) => d.name },
  fs: { kind: 'string', description: 'file system', value: (d) => d.fs },
};
const def: CheckDefinition<Disk> = {
  command: 'check_test',
  keywords,
  itemName: (d) => d.name,
  defaults: { warn: 'used > 80%', crit: 'used > 90%', detail: '%(name): %(used)/%(size) used', ok: '%(status): All drives ok' },
  options: { drive: undefined },
};
const disks: Disk[] = [
  { name: '/', used: 95 * GiB, size: 100 * GiB, fs: 'ext4' },
  { name: '/boot', used: 85 * GiB, size: 100 * GiB, fs: 'vfat' },
  { name: '/home', used: 10 * GiB, size: 100 * GiB, fs: 'ext4' },
];

describe('filter expressions', () => {
  it('compares with units, percentages, and/or/not, in, like, regexp', () => {
    const d = disks[0]!;
    const t = (e: string): boolean => evaluate(parseExpression(e, keywords), keywords, d);
    expect(t('used > 90%')).toBe(true);
    expect(t('used > 96%')).toBe(false);
    expect(t('used > 94G and size = 100GB')).toBe(true);
    expect(t('used gt 100G or fs = \'ext4\'')).toBe(true);
    expect(t('not (fs = \'ext4\')')).toBe(false);
    expect(t("fs in ('xfs', 'ext4')")).toBe(true);
    expect(t("fs not in ('xfs', 'ext4')")).toBe(false);
    expect(t("name like '/'")).toBe(true);
    expect(t("name regexp '^/$'")).toBe(true);
    expect(t("name not regexp '^/b'")).toBe(true);
  });

  it('refuses what the grammar does not cover, naming it', () => {
    const bad: Array<[string, RegExp]> = [
      ['load > 80', /unknown keyword 'load'/],
      ['used >', /expected a number or a quoted string but found end/],
      ['used > 80 80', /unexpected '80'/],
      ['used > 80X', /unit 'X' is not valid for used/],
      ["fs = 'ext4", /unterminated string/],
      ['convert(used) > 1', /functions are not supported/],
      ['(used > 1', /expected '\)'/],
      ["name regexp '('", /bad regular expression/],
      ['used ~ 3', /unexpected character '~'/],
      ['('.repeat(40) + 'used > 1' + ')'.repeat(40), /nested deeper than 32/],
      ['x'.repeat(5000), /longer than 4096/],
    ];
    for (const [text, reason] of bad) expect(() => parseExpression(text, keywords), text).toThrow(reason);
    expect(() => parseExpression('x', keywords)).toThrow(FilterError);
  });
});

describe('check options', () => {
  it('defaults: worst status, problem list, NSClient++ perfdata with % entries', () => {
    const r = evaluateCheck(def, parseArguments(def, []), disks);
    expect(r.result).toBe(2);
    expect(r.message).toBe('CRITICAL: /: 95GB/100GB used, /boot: 85GB/100GB used');
    expect(r.perf.split(/ (?=')/)).toEqual([
      "'/ used'=95GB;80;90;0;100", "'/ used %'=95%;80;90;0;100",
      "'/boot used'=85GB;80;90;0;100", "'/boot used %'=85%;80;90;0;100",
      "'/home used'=10GB;80;90;0;100", "'/home used %'=10%;80;90;0;100",
    ]);
  });

  it('filter, ok-syntax, show-all, top/detail syntax with both placeholder forms', () => {
    const ok = evaluateCheck(def, parseArguments(def, ["filter=name = '/home'"]), disks);
    expect([ok.result, ok.message]).toEqual([0, 'OK: All drives ok']);
    const all = evaluateCheck(def, parseArguments(def, ['show-all', 'detail-syntax=${name}=${used}', 'top-syntax=${status} ${count}/${total}: ${problem_list}']), disks);
    expect(all.message).toBe('CRITICAL 3/3: /=95GB, /boot=85GB, /home=10GB');
    const w = evaluateCheck(def, parseArguments(def, ['warn=used > 5G', 'crit=none']), disks);
    expect(w.result).toBe(1);
    expect(w.perf).toContain("'/ used'=95GB;5;;0;100");
  });

  it('empty-syntax/empty-state, summary keywords, perf-config', () => {
    const empty = evaluateCheck(def, parseArguments(def, ["filter=fs = 'zfs'", 'empty-state=critical', 'empty-syntax=%(status): nothing']), disks);
    expect([empty.result, empty.message]).toEqual([2, 'CRITICAL: nothing']);
    const count = evaluateCheck(def, parseArguments(def, ["filter=fs = 'ext4'", 'warn=none', 'crit=count < 3']), disks);
    expect(count.result).toBe(2);
    const perf = evaluateCheck(def, parseArguments(def, ['perf-config=used(unit:M;prefix:disk_)', "filter=name = '/home'"]), disks);
    expect(perf.perf).toBe("'disk_/home used'=10240MB;81920;92160;0;102400 'disk_/home used %'=10%;80;90;0;100");
    const none = evaluateCheck(def, parseArguments(def, ['perf-config=*(ignored:true)', "filter=name = '/home'"]), disks);
    expect(none.perf).toBe('');
  });

  it('bad arguments answer UNKNOWN with the reason, and the refusal is reported', async () => {
    const reasons: string[] = [];
    const r = await runCheck(def, ['bogus=1'], () => disks, (reason) => reasons.push(reason));
    expect(r.result).toBe(3);
    expect(r.message).toMatch(/unknown option 'bogus'/);
    expect((await runCheck(def, ['warn=used >>> 3'], () => disks, (x) => reasons.push(x))).result).toBe(3);
    expect((await runCheck(def, ['empty-state=maybe'], () => disks, (x) => reasons.push(x))).message).toMatch(/empty-state/);
    expect((await runCheck(def, ['perf-config=used(color:red)'], () => disks, (x) => reasons.push(x))).message).toMatch(/unknown option 'color'/);
    expect(reasons).toHaveLength(4);
  });
});
