/**
 * POE::Driver::SysRW, kept so that ported code which passes `Driver => POE::Driver::SysRW->new()`
 * to a wheel reads as before. In Node, a stream does the reading and writing, so a driver has
 * nothing to do: every wheel that takes `Driver` in POE (ReadWrite, FollowTail, ListenAccept's
 * sockets through ReadWrite) accepts one and ignores it.
 */
export class DriverSysRW {
  /** POE's read size: kept for code that reads it back; Node's streams choose their own. */
  readonly BlockSize: number;

  constructor(options: { BlockSize?: number } = {}) {
    this.BlockSize = options.BlockSize ?? 65536;
  }
}

/** POE's package names, so that ported scripts can say `new Driver.SysRW()`. */
export const Driver = { SysRW: DriverSysRW } as const;
