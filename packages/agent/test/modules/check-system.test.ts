// The system checks against this machine's real /proc, compared with free, df, uptime and ps.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '@poets/agent';
import { CpuSampler } from '../../src/modules/check-system/cpu-sampler.js';
import { makeAgent, withFiles, type RecordingLogger } from '../helpers.js';

let agent: Agent;
let logger: RecordingLogger;
const query = (name: string, ...args: string[]) => agent.simple_query(name, args);
const GiB = 1024 ** 3;

beforeAll(async () => {
  const dir = withFiles({ 'nsclient.ini': '[/modules]\nCheckSystem = enabled\nCheckDisk = enabled\n' });
  ({ agent, logger } = makeAgent({ settings: join(dir, 'nsclient.ini') }));
  await agent.start();
});
afterAll(async () => agent.stop());

describe('CheckSystem on Linux', () => {
  it('check_cpu: the three default windows, NSClient++ output and perfdata', async () => {
    const [code, message, perf] = await query('check_cpu');
    expect(code === 0 ? message : message).toMatch(code === 0 ? /^OK: CPU load is ok\.$/ : /^(WARNING|CRITICAL): /);
    expect(perf).toMatch(/^'total 5m'=\d+%;80;90 'total 1m'=\d+%;80;90 'total 5s'=\d+%;80;90$/);
    const [, all, cores] = await query('check_cpu', 'time=1m', 'filter=none', 'show-all', 'top-syntax=${list}', 'detail-syntax=${core}:${load}', 'warn=load > 1000', 'crit=none');
    expect(all.split(', ').length).toBeGreaterThan(1);
    expect(cores).toContain("'core 0 1m'=");
    const [bad, why] = await query('check_cpu', 'time=soon');
    expect([bad, why]).toEqual([3, "time: 'soon' is not a window such as 5s, 1m or 5m"]);
    expect(logger.text()).toMatch(/check_cpu refused: time: 'soon'/);
  });

  it('the sampler computes load from /proc/stat deltas over the asked window', () => {
    let stat = 'cpu  100 0 100 800 0 0 0 0 0 0\n';
    const s = new CpuSampler(10, () => stat);
    s.sample(1000);
    stat = 'cpu  150 0 150 900 0 0 0 0 0 0\n';
    s.sample(1005);
    stat = 'cpu  250 0 250 900 0 0 0 0 0 0\n';
    expect(s.load(5, 1010)).toEqual([{ core: 'total', load: 100 }]);
    expect(s.load(10, 1010)).toEqual([{ core: 'total', load: 75 }]);
    for (let t = 1011; t < 1100; t++) s.sample(t);

    expect(s.count).toBeLessThanOrEqual(12);
  });

  it('a query right after load waits for the second sample; unload releases waiters', async () => {
    const s = new CpuSampler(10, () => 'cpu  1 0 1 8 0 0 0 0\n');
    s.sample(1);
    let woke = false;
    const waiting = s.ready().then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    s.sample(2);
    await waiting;
    expect(woke).toBe(true);
    const other = new CpuSampler(10, () => '');
    const released = other.ready();
    other.release();
    await released;
  });

  it('check_memory matches free -b', async () => {
    const [code, message, perf] = await query('check_memory', 'type=physical', 'warn=used > 101%', 'crit=none');
    expect(code).toBe(0);
    const mem = execFileSync('free', ['-b'], { encoding: 'utf8' }).split('\n')[1]!.trim().split(/\s+/);
    const total = Number(mem[1]);
    const available = Number(mem[6]);
    const m = /^'physical'=([\d.]+)GB;[\d.]+;;0;([\d.]+) 'physical %'=(\d+)%;101;;0;100$/.exec(perf);
    expect(m, perf).not.toBeNull();
    expect(Number(m![2])).toBeCloseTo(total / GiB, 2);
    expect(Math.abs(Number(m![1]) - (total - available) / GiB)).toBeLessThan(0.2);
    expect(message).toMatch(/^OK: physical = [\d.]+[KMG]B$/);
    const [, both] = await query('check_memory');
    expect(both).toMatch(/^\w+: committed = [\d.]+[KMG]?B, physical = [\d.]+[KMG]?B$/);
    expect((await query('check_memory', 'type=cache'))[1]).toMatch(/unknown memory type 'cache'/);
  });

  it('check_pagefile reports swap as in /proc/meminfo', async () => {
    const [code, message, perf] = await query('check_pagefile');
    expect([0, 1, 2]).toContain(code);
    expect(message).toMatch(/total [\d.]+[KMGT]?B \([\d.]+[KMGT]?B\)/);
    expect(perf).toContain("'total'=");
  });

  it('check_uptime matches /proc/uptime and uptime -s', async () => {
    const [code, message, perf] = await query('check_uptime', 'warn=uptime < 1s', 'crit=uptime < 0s');
    expect(code).toBe(0);
    const seconds = Number(/^'uptime'=(\d+)s;1;0$/.exec(perf)![1]);
    const procUptime = Number(execFileSync('cat', ['/proc/uptime'], { encoding: 'utf8' }).split(' ')[0]);
    expect(Math.abs(seconds - procUptime)).toBeLessThan(5);
    const boot = execFileSync('uptime', ['-s'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } }).trim();
    expect(message).toMatch(new RegExp(`^OK: uptime: (\\d+d )?\\d+:\\d\\d, boot: ${boot.slice(0, 15)}`));
    const [w] = await query('check_uptime', 'warn=uptime > 1s', 'crit=none');
    expect(w).toBe(1);
    expect((await query('check_uptime', 'warn=uptime > 1x'))[1]).toMatch(/unit 'x' is not valid for uptime/);
  });

  it('check_drivesize matches df', async () => {
    const [code, message, perf] = await query('check_drivesize', 'drive=/', 'warn=used > 101%', 'crit=none');
    expect(code).toBe(0);
    expect(message).toBe('OK: All 1 drive(s) are ok');
    const df = execFileSync('df', ['-B1', '--output=size,used', '/'], { encoding: 'utf8' }).split('\n')[1]!.trim().split(/\s+/).map(Number);
    const m = /^'\/ used'=([\d.]+)([KMGT])B;[\d.]+;;0;([\d.]+) '\/ used %'=(\d+)%;101;;0;100$/.exec(perf);
    expect(m, perf).not.toBeNull();
    const f = { K: 1024, M: 1024 ** 2, G: GiB, T: 1024 ** 4 }[m![2] as 'K']!;
    expect(Math.abs(Number(m![3]) * f - df[0]!) / df[0]!).toBeLessThan(0.001);
    expect(Math.abs(Number(m![1]) * f - df[1]!) / df[0]!).toBeLessThan(0.01);
    const [, shown] = await query('check_drivesize', 'drive=/', 'show-all', 'top-syntax=${list}');
    expect(shown).toMatch(/^\/: [\d.]+[KMGT]?B\/[\d.]+[KMGT]?B used$/);
    expect(await query('check_drivesize', 'drive=/no/such/mount')).toEqual([3, "drive: '/no/such/mount' is not a mounted file system", '']);
  });

  it('check_process finds this process as ps does, and a missing one as stopped', async () => {
    const comm = execFileSync('ps', ['-o', 'comm=', '-p', String(process.pid)], { encoding: 'utf8' }).trim();
    const [code, message] = await query('check_process', `process=${comm}`, `filter=pid = ${process.pid}`);
    expect([code, message]).toEqual([0, 'OK: all processes are ok.']);
    const [, list] = await query('check_process', `filter=pid = ${process.pid}`, 'show-all', 'detail-syntax=${exe} ${pid} ${state}', 'top-syntax=${list}');
    expect(list).toBe(`${comm} ${process.pid} started`);
    expect(await query('check_process', 'process=no-such-process-x')).toEqual([2, 'CRITICAL: no-such-process-x=stopped', '']);
    const [, count] = await query('check_process', 'warn=none', 'crit=count < 1', 'ok-syntax=${count}');
    const ps = execFileSync('ps', ['-e', '-o', 'pid='], { encoding: 'utf8' }).trim().split('\n').length;
    expect(Math.abs(Number(count) - ps)).toBeLessThan(10);
    expect((await query('check_process', 'crit=state == ', 'warn=none'))[0]).toBe(3);
  });

  it('check_os_version names the kernel and distribution', async () => {
    const [code, message] = await query('check_os_version');
    const kernel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
    const [maj, min] = kernel.split('.');
    expect(code).toBe(0);
    expect(message).toMatch(new RegExp(`^OK: .+ \\(${maj}\\.${min}\\.\\d+\\)$`));
    expect((await query('check_os_version', 'filter=kernel like \'nope\'', 'empty-state=ok'))[0]).toBe(0);
  });

  it('a module loaded as CheckSystemUnix registers the same queries; unload stops the sampler', async () => {
    const { agent: other } = makeAgent();
    await other.start();
    expect(await other.load_module('CheckSystemUnix', 'sys')).toBeTruthy();
    expect(other.listQueries().map((q) => q.name)).toEqual(expect.arrayContaining(['check_cpu', 'check_memory', 'check_uptime']));
    expect(await other.unload_module('sys')).toBe(true);
    await other.stop();
  });
});
