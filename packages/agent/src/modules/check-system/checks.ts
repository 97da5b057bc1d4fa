// NSClient++'s system checks (CheckSystem/CheckSystemUnix, CheckDisk) as filter-engine definitions
// over Linux's /proc and statfs: names, options, defaults, output and perfdata as NSClient++'s.
import { readFileSync } from 'node:fs';
import { FilterError } from '../../errors.js';
import { status } from '../../status.js';
import type { CheckDefinition } from '../filter/check.js';
import type { KeywordTable } from '../filter/expression.js';
import { listDrives, listProcesses, parseMeminfo, parseOsRelease, kernelRelease, read, type DriveInfo, type ProcessInfo } from './proc.js';
import type { CpuSampler } from './cpu-sampler.js';

/** `5s`, `1m`, `5m`, `1h`: a check_cpu window in seconds. */
export function parseWindow(text: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (m === null || Number(m[1]) === 0) throw new FilterError(`time: '${text}' is not a window such as 5s, 1m or 5m`);
  return Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2]!]!;
}

interface CpuItem { core: string; time: string; load: number }
export const cpuCheck: CheckDefinition<CpuItem> = {
  command: 'check_cpu',
  keywords: {
    core: { kind: 'string', description: 'the core (total, core 0...)', value: (i) => i.core },
    core_id: { kind: 'string', description: 'the core, as an id', value: (i) => i.core.replace(' ', '_') },
    time: { kind: 'string', description: 'the window (5m...)', value: (i) => i.time },
    load: { kind: 'number', description: 'busy percent over the window', value: (i) => i.load, perfSuffix: '', perfUnit: '%' },
  },
  itemName: (i) => `${i.core} ${i.time}`,
  defaults: { warn: 'load > 80', crit: 'load > 90', filter: "core = 'total'", detail: '${time}: ${load}%', ok: '%(status): CPU load is ok.', empty: '%(status): No CPU load data found' },
  options: { time: undefined },
};
export const DEFAULT_WINDOWS = ['5m', '1m', '5s'];

export async function cpuItems(sampler: CpuSampler, options: ReadonlyMap<string, readonly string[]>): Promise<CpuItem[]> {
  const windows = options.get('time')?.length ? options.get('time')! : DEFAULT_WINDOWS;
  for (const w of windows) parseWindow(w);
  await sampler.ready();
  return windows.flatMap((w) => sampler.load(parseWindow(w)).map((l) => ({ core: l.core, time: w.trim(), load: l.load })));
}

interface SizedItem { name: string; size: number; used: number; free: number }
const sizeKeywords = <I extends SizedItem>(usedSuffix: string): KeywordTable<I> => ({
  used: { kind: 'size', description: 'bytes used', value: (i) => i.used, percentOf: (i) => i.size, perfSuffix: usedSuffix },
  free: { kind: 'size', description: 'bytes free', value: (i) => i.free, percentOf: (i) => i.size, perfSuffix: ' free' },
  size: { kind: 'size', description: 'total bytes', value: (i) => i.size },
  used_pct: { kind: 'number', description: 'percent used', value: (i) => (i.size > 0 ? Math.round((i.used / i.size) * 100) : 0), perfUnit: '%' },
  free_pct: { kind: 'number', description: 'percent free', value: (i) => (i.size > 0 ? Math.round((i.free / i.size) * 100) : 0), perfUnit: '%' },
});

type MemItem = SizedItem & { type: string };
export const memoryCheck: CheckDefinition<MemItem> = {
  command: 'check_memory',
  keywords: { ...sizeKeywords<MemItem>(''), type: { kind: 'string', description: 'physical, committed or swap', value: (i) => i.type } },
  itemName: (i) => i.type,
  defaults: { warn: 'used > 80%', crit: 'used > 90%', top: '${status}: ${list}', detail: '%(type) = %(used)', empty: '%(status): No memory types found' },
  options: { type: undefined },
};

/** physical: MemTotal - MemAvailable (as `free` counts used); committed: Committed_AS of CommitLimit; swap. */
export function memoryItems(options: ReadonlyMap<string, readonly string[]>, meminfo = read('/proc/meminfo')): MemItem[] {
  const m = parseMeminfo(meminfo);
  const g = (k: string): number => m.get(k) ?? 0;
  const all: Record<string, MemItem> = {
    physical: { name: 'physical', type: 'physical', size: g('MemTotal'), used: g('MemTotal') - g('MemAvailable'), free: g('MemAvailable') },
    committed: { name: 'committed', type: 'committed', size: g('CommitLimit'), used: g('Committed_AS'), free: Math.max(0, g('CommitLimit') - g('Committed_AS')) },
    swap: { name: 'swap', type: 'swap', size: g('SwapTotal'), used: g('SwapTotal') - g('SwapFree'), free: g('SwapFree') },
  };
  const types = options.get('type')?.length ? options.get('type')! : ['committed', 'physical'];
  return types.map((t) => {
    const item = all[t.trim().toLowerCase()];
    if (item === undefined) throw new FilterError(`type: unknown memory type '${t}' (physical, committed, swap)`);
    return item;
  });
}

export const pagefileCheck: CheckDefinition<MemItem> = {
  command: 'check_pagefile',
  keywords: { ...memoryCheck.keywords, name: { kind: 'string', description: 'the swap area (total for all)', value: (i) => i.name } },
  itemName: (i) => i.name,
  defaults: { warn: 'used > 60%', crit: 'used > 80%', top: '${status}: ${list}', detail: '${name} ${used} (${size})', empty: '%(status): No swap found', filter: undefined },
};

/** `total` (SwapTotal/SwapFree) and one item per /proc/swaps line (sizes there are KiB). */
export function pagefileItems(meminfo = read('/proc/meminfo'), swaps = read('/proc/swaps')): MemItem[] {
  const m = parseMeminfo(meminfo);
  const items: MemItem[] = [];
  for (const line of swaps.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    const size = Number(f[2]) * 1024;
    const used = Number(f[3]) * 1024;
    items.push({ name: f[0]!, type: 'swap', size, used, free: size - used });
  }
  const size = m.get('SwapTotal') ?? 0;
  const free = m.get('SwapFree') ?? 0;
  items.push({ name: 'total', type: 'swap', size, used: size - free, free });
  return items;
}

type DriveItem = DriveInfo & SizedItem;
export const drivesizeCheck: CheckDefinition<DriveItem> = {
  command: 'check_drivesize',
  keywords: {
    ...sizeKeywords<DriveItem>(' used'),
    drive: { kind: 'string', description: 'mount point', value: (i) => i.drive },
    drive_or_name: { kind: 'string', description: 'mount point', value: (i) => i.drive },
    name: { kind: 'string', description: 'device', value: (i) => i.device },
    fs: { kind: 'string', description: 'file system type', value: (i) => i.fs },
    user_free: { kind: 'size', description: 'bytes free for unprivileged users (df Avail)', value: (i) => i.user_free, percentOf: (i) => i.size, perfSuffix: ' user free' },
  },
  itemName: (i) => i.drive,
  defaults: { warn: 'used > 80%', crit: 'used > 90%', detail: '%(drive_or_name): %(used)/%(size) used', ok: '%(status): All %(count) drive(s) are ok', empty: '%(status): No drives found' },
  options: { drive: undefined, 'ignore-unreadable': undefined },
  ignoredOptions: ['type', 'total', 'magic'],
};

export function drivesizeItems(options: ReadonlyMap<string, readonly string[]>): DriveItem[] {
  const asked = (options.get('drive') ?? []).flatMap((d) => d.split(',')).map((d) => d.trim()).filter(Boolean);
  const all = asked.includes('*') || asked.includes('all-drives');
  const drives = listDrives(all || asked.length > 0).map((d) => ({ ...d, name: d.device }));
  if (asked.length === 0 || all) return asked.length === 0 ? drives.filter((d) => d.size > 0) : drives;
  return asked.map((a) => {
    const found = drives.find((d) => d.drive === a || d.device === a);
    if (found === undefined) throw new FilterError(`drive: '${a}' is not a mounted file system`);
    return found;
  });
}

interface UptimeItem { uptime: number; boot: Date }
export function formatUptime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${d > 0 ? `${d}d ` : ''}${h}:${String(m).padStart(2, '0')}`;
}
export const uptimeCheck: CheckDefinition<UptimeItem> = {
  command: 'check_uptime',
  keywords: {
    uptime: { kind: 'time', description: 'seconds since boot', value: (i) => Math.floor(i.uptime), text: (i) => formatUptime(i.uptime), perfSuffix: '', perfUnit: 's' },
    boot: { kind: 'string', description: 'boot time (UTC)', value: (i) => i.boot.toISOString().replace('T', ' ').slice(0, 19) },
  },
  itemName: () => 'uptime',
  defaults: { warn: 'uptime < 2d', crit: 'uptime < 1d', top: '${status}: ${list}', detail: 'uptime: ${uptime}, boot: ${boot} (UTC)' },
};

export function uptimeItems(text = read('/proc/uptime'), now = Date.now()): UptimeItem[] {
  const seconds = Number(text.split(' ')[0]);
  return [{ uptime: seconds, boot: new Date(now - seconds * 1000) }];
}

type ProcItem = ProcessInfo;
export const processCheck: CheckDefinition<ProcItem> = {
  command: 'check_process',
  keywords: {
    exe: { kind: 'string', description: 'the executable (comm)', value: (i) => i.exe },
    command_line: { kind: 'string', description: 'the command line', value: (i) => i.command_line },
    pid: { kind: 'number', description: 'process id', value: (i) => i.pid },
    state: { kind: 'string', description: 'started, stopped or zombie', value: (i) => i.state },
    threads: { kind: 'number', description: 'threads', value: (i) => i.threads },
    rss: { kind: 'size', description: 'resident memory', value: (i) => i.rss },
    virtual: { kind: 'size', description: 'virtual memory', value: (i) => i.vsize },
  },
  itemName: (i) => i.exe,
  defaults: { warn: "state not in ('started')", crit: "state = 'stopped'", detail: '${exe}=${state}', ok: '%(status): all processes are ok.', empty: '%(status): No processes found' },
  options: { process: undefined },
};

/** Processes named by `process=` (a name not running is one `stopped` item), or all. */
export function processItems(options: ReadonlyMap<string, readonly string[]>, procs: ProcessInfo[] = listProcesses()): ProcItem[] {
  const names = (options.get('process') ?? []).flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
  if (names.length === 0 || names.includes('*')) return procs;
  return names.flatMap((n) => {
    const running = procs.filter((p) => p.exe === n || p.command_line.split(' ')[0]?.split('/').at(-1) === n);
    return running.length > 0 ? running : [{ pid: 0, exe: n, command_line: '', state: 'stopped', threads: 0, vsize: 0, rss: 0 }];
  });
}

interface OsItem { version: string; kernel: string; major: number; minor: number; build: number }
export const osVersionCheck: CheckDefinition<OsItem> = {
  command: 'check_os_version',
  keywords: {
    version: { kind: 'string', description: 'the distribution (PRETTY_NAME)', value: (i) => i.version },
    kernel: { kind: 'string', description: 'the kernel release', value: (i) => i.kernel },
    major: { kind: 'number', description: 'kernel major', value: (i) => i.major },
    minor: { kind: 'number', description: 'kernel minor', value: (i) => i.minor },
    build: { kind: 'number', description: 'kernel patch level', value: (i) => i.build },
  },
  itemName: () => 'version',
  defaults: { top: '${status}: ${list}', detail: '${version} (${major}.${minor}.${build})' },
};

export function osVersionItems(): OsItem[] {
  let osRelease = '';
  try { osRelease = readFileSync('/etc/os-release', 'utf8'); } catch { /* none: the kernel alone */ }
  const kernel = kernelRelease();
  const [major = 0, minor = 0, build = 0] = kernel.split(/[.-]/).map((n) => Number.parseInt(n, 10) || 0);
  return [{ version: parseOsRelease(osRelease).get('PRETTY_NAME') ?? 'Linux', kernel, major, minor, build }];
}

export { status };
