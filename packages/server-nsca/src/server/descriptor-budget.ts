import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';

const { EMFILE, ENFILE } = constants.errno;

/** Descriptors kept for everything but connections (the command file, logs, DNS, a reconnecting client...). */
const RESERVE = 64;

/** An accept that failed for lack of descriptors (the process's or the system's). */
export function isDescriptorExhaustion(errno: number): boolean {
  return errno === EMFILE || errno === ENFILE || errno === -EMFILE || errno === -ENFILE;
}

/**
 * How many connections a server may hold before it must make room. Node has no setrlimit, but
 * it needs none here: at start-up Node itself raises the soft RLIMIT_NOFILE to the hard limit
 * (PlatformInit in src/node.cc), so the soft limit read from /proc/self/limits is already as high
 * as an unprivileged process can go. The budget is that limit less the descriptors open when the
 * server starts and a reserve; where the limit cannot be read (not Linux) there is none, and an
 * accept failing with EMFILE/ENFILE is what makes room.
 */
export class DescriptorBudget {
  readonly limit: number;
  readonly softLimit: number | undefined;
  private readonly openAtStart: number;

  constructor(maxConnections?: number) {
    this.softLimit = softNofile();
    this.openAtStart = openDescriptors();
    if (maxConnections !== undefined) {
      if (!(maxConnections > 0)) throw new RangeError(`ServerNSCA.spawn: maxConnections must be positive, not ${maxConnections}`);
      this.limit = maxConnections;
    } else {
      this.limit = this.softLimit === undefined ? Infinity : Math.max(1, this.softLimit - this.openAtStart - RESERVE);
    }
  }

  /** For log lines: `limit 1024 descriptors`. */
  describe(): string {
    return this.softLimit === undefined ? `at most ${this.limit} connections` : `descriptor limit ${this.softLimit}, ${this.limit} for connections`;
  }
}

/** The soft RLIMIT_NOFILE, from /proc/self/limits (undefined where there is none). */
export function softNofile(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    const n = Number(soft);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function openDescriptors(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}
