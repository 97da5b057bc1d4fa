// CheckLogFile: check_logfile over a file, and real-time filters following a file with FollowTail,
// their matches going through the seed's filter_nsca script to a capturing NSCA subscriber.
import { appendFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../../test/support/index.js';
import { status, type Agent, type ModuleDefinition, type Submission } from '@poets/agent';
import { makeAgent, tempDir, withFiles, type RecordingLogger } from '../helpers.js';

const script = resolve(__dirname, '../../../../examples/agent/filter_nsca.ts');
const forwarded: Submission[] = [];
const captureNsca: ModuleDefinition = { name: 'NSCAClient', load: (p) => p.agent.subscribe(p, 'NSCA', (_c, payloads) => { forwarded.push(...payloads); return true; }) };

let agent: Agent;
let logger: RecordingLogger;
let log: string;
let aged: string;
const dir = tempDir();

beforeAll(async () => {
  log = join(dir, 'app.log');
  aged = join(dir, 'aged.log');
  writeFileSync(aged, '');
  writeFileSync(log, 'old line before start\n');
  const ini = `[/modules]\nTypeScript = enabled\nCheckLogFile = enabled\nNSCAClient = enabled\n\n[/settings/typescript/scripts]\nfilter_nsca = ${script}\n\n` +
    `[/settings/logfile/real-time/checks/errors]\nfile = ${log}\nfilter = line like 'ERROR'\ntarget = filter_nsca\ndetail syntax = %(column2)\ncolumn split = \\t\nmaximum age = false\n\n` +
    `[/settings/logfile/real-time/checks/aged]\nfile = ${aged}\nfilter = column1 = 'FAIL'\ntarget = NSCA\nseverity = critical\nmaximum age = 1s\nempty message = all quiet\n\n` +
    `[/settings/logfile/real-time/checks/broken]\nfile = ${log}\nfilter = line like\n`;
  const d = withFiles({ 'nsclient.ini': ini });
  ({ agent, logger } = makeAgent({ settings: join(d, 'nsclient.ini'), modules: [captureNsca] }));
  await agent.start();
});
afterAll(async () => agent.stop());

describe('CheckLogFile', () => {
  it('check_logfile: lines through the filter engine; a missing file refused by name', async () => {
    const f = join(withFiles({ 'x.log': 'ok\tfine\nERROR\tdisk full\nERROR\tdisk gone\n' }), 'x.log');
    const [code, message] = await agent.simple_query('check_logfile', [`file=${f}`, "crit=column1 = 'ERROR'", 'detail-syntax=${column2}']);
    expect([code, message]).toEqual([2, 'CRITICAL: 3/3 (disk full, disk gone)']);
    expect((await agent.simple_query('check_logfile', ['file=/no/such.log']))[1]).toMatch(/cannot read \/no\/such.log: ENOENT/);
    expect((await agent.simple_query('check_logfile', []))[1]).toMatch(/no file given/);
  });

  it('a real-time filter with a bad expression is refused at load with the reason; the others run', () => {
    expect(logger.text()).toMatch(/real-time filter broken refused: expected a number or a quoted string but found end of expression/);
    expect(logger.text()).toMatch(/real-time filter errors: following/);
  });

  it('maximum age: an OK with the empty message that long after the last match', async () => {
    appendFileSync(aged, 'FAIL\tpump\nOK\tpump\n');
    await until(() => forwarded.some((s) => s.command === 'aged' && s.result === status.OK), 10_000);
    const mine = forwarded.filter((s) => s.command === 'aged').map((s) => [s.result, s.message]);
    expect(mine).toEqual([[status.CRITICAL, 'FAIL\tpump'], [status.OK, 'all quiet']]);
    forwarded.length = 0;
  });

  it('matches go to filter_nsca, which deduplicates and forwards to NSCA; rotation, truncation, deletion logged', async () => {
    appendFileSync(log, 'INFO\tstarted\nERROR\tdisk full\nERROR\tdisk full\nERROR\tdisk gone\n');
    await until(() => forwarded.length >= 2, 10_000);
    expect(forwarded.map((s) => [s.command, s.result, s.message])).toEqual([
      ['errors', status.CRITICAL, 'disk full'],
      ['errors', status.CRITICAL, 'disk gone'],
    ]);
    expect(logger.text()).toMatch(/Suppressing duplicate message/);

    renameSync(log, `${log}.1`);
    writeFileSync(log, 'ERROR\tafter rotation\n');
    await until(() => forwarded.length >= 3, 10_000);
    expect(forwarded[2]!.message).toBe('after rotation');
    await until(() => /rotated or replaced/.test(logger.text()), 10_000);

    appendFileSync(log, 'padding padding padding padding\n');
    await new Promise((r) => setTimeout(r, 500));
    truncateSync(log, 0);
    await until(() => /app.log truncated/.test(logger.text()), 10_000);
    appendFileSync(log, 'ERROR\tafter truncation\n');
    await until(() => forwarded.length >= 4, 10_000);
    expect(forwarded[3]!.message).toBe('after truncation');

    rmSync(log);
    await until(() => /deleted or missing/.test(logger.text()), 10_000);
    writeFileSync(log, 'ERROR\tback again\n');
    await until(() => forwarded.length >= 5, 10_000);
    expect(forwarded[4]!.message).toBe('back again');
  });
});
