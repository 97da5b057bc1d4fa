// Readers of Linux's /proc (and statfs) for the system checks: each a small parser of the file's text.
import { readFileSync, readdirSync, statfsSync } from 'node:fs';
import { release } from 'node:os';

/** One line of /proc/stat (`cpu` or `cpuN`): busy and total jiffies so far. */
export interface CpuCounters { readonly core: string; readonly busy: number; readonly total: number }

/** /proc/stat's cpu lines: `total` for the sum line, `core N` for each CPU. */
export function parseProcStat(text: string): CpuCounters[] {
  const out: CpuCounters[] = [];
  for (const line of text.split('\n')) {
    const m = /^cpu(\d*)\s+(.*)$/.exec(line);
    if (m === null) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq steal (guest is already inside user)
    const total = f.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    out.push({ core: m[1] === '' ? 'total' : `core ${m[1]}`, busy: total - idle, total });
  }
  return out;
}

/** /proc/meminfo as bytes by field name. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)(\s+kB)?/.exec(line);
    if (m !== null) out.set(m[1]!, Number(m[2]) * (m[3] === undefined ? 1 : 1024));
  }
  return out;
}

/** /proc/mounts: device, mount point and file system type of each line (octal escapes decoded). */
export function parseMounts(text: string): Array<{ device: string; mount: string; fs: string }> {
  const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => {
    const [device = '', mount = '', fs = ''] = l.split(' ');
    return { device: unescape(device), mount: unescape(mount), fs };
  });
}

/** /proc/<pid>/stat: state letter, threads, vsize and rss pages (the comm may hold spaces and parentheses). */
export function parsePidStat(text: string): { comm: string; state: string; threads: number; vsize: number; rssPages: number } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const f = text.slice(close + 2).split(' ');
  return { comm: text.slice(open + 1, close), state: f[0] ?? '?', threads: Number(f[17]), vsize: Number(f[20]), rssPages: Number(f[21]) };
}

/** /etc/os-release as a map (quotes removed). */
export function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m !== null) out.set(m[1]!, m[2]!.replace(/^["']|["']$/g, ''));
  }
  return out;
}

export const read = (path: string): string => readFileSync(path, 'utf8');

export interface ProcessInfo { pid: number; exe: string; command_line: string; state: string; threads: number; vsize: number; rss: number }

const PAGE = 4096;

/** Every process readable now; one that exits while being read is skipped. */
export function listProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = parsePidStat(read(`/proc/${name}/stat`));
      if (stat === undefined) continue;
      const cmdline = read(`/proc/${name}/cmdline`).split('\0').filter(Boolean).join(' ');
      out.push({ pid: Number(name), exe: stat.comm, command_line: cmdline, state: stat.state === 'Z' ? 'zombie' : 'started', threads: stat.threads, vsize: stat.vsize, rss: stat.rssPages * PAGE });
    } catch {
      // gone between readdir and read
    }
  }
  return out;
}

export interface DriveInfo { drive: string; device: string; fs: string; size: number; used: number; free: number; user_free: number }

/** File systems that hold no user data; skipped unless asked for by mount point or `drive=*`. */
const PSEUDO = new Set(['proc', 'sysfs', 'devtmpfs', 'devpts', 'tmpfs', 'cgroup', 'cgroup2', 'securityfs', 'pstore', 'debugfs', 'tracefs', 'mqueue', 'hugetlbfs', 'configfs', 'fusectl', 'bpf', 'autofs', 'binfmt_misc', 'rpc_pipefs', 'nsfs', 'efivarfs', 'ramfs', 'overlay', 'squashfs', 'selinuxfs', 'fuse.gvfsd-fuse', 'fuse.portal', 'nfsd']);

/** statfs of each mounted file system: what `df -B1` shows (used = blocks - free, free for users = bavail). */
export function listDrives(all: boolean): DriveInfo[] {
  const out: DriveInfo[] = [];
  const seen = new Set<string>();
  for (const m of parseMounts(read('/proc/mounts'))) {
    if ((!all && PSEUDO.has(m.fs)) || seen.has(m.mount)) continue;
    seen.add(m.mount);
    try {
      const s = statfsSync(m.mount);
      if (!all && s.blocks === 0) continue;
      out.push({ drive: m.mount, device: m.device, fs: m.fs, size: s.blocks * s.bsize, used: (s.blocks - s.bfree) * s.bsize, free: s.bfree * s.bsize, user_free: s.bavail * s.bsize });
    } catch {
      // a mount we may not stat (permission, stale NFS): not listed
    }
  }
  return out;
}

export function kernelRelease(): string {
  return release();
}
