// Nagios return codes, as NSClient++'s `status` enum has them.

/** NSClient++'s `status` enum: the Nagios return codes. */
export const status = Object.freeze({ OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const);

/** One of the four Nagios codes. */
export type StatusCode = (typeof status)[keyof typeof status];

const NAMES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

/** `OK`, `WARNING`, `CRITICAL` or `UNKNOWN` (anything out of range is UNKNOWN, as Nagios reads it). */
export function statusName(code: number): string {
  return NAMES[code] ?? 'UNKNOWN';
}

/** A handler's code clamped to the four Nagios codes: anything else is UNKNOWN. */
export function toStatus(code: unknown): StatusCode {
  return code === 0 || code === 1 || code === 2 || code === 3 ? code : 3;
}
