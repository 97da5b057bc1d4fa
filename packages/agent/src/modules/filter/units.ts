// Number and size formatting as NSClient++ prints them: up to three decimals, sizes in B/KB/MB/GB/TB.

/** Bytes in each size unit (powers of 1024). */
export const SIZE_FACTORS: Readonly<Record<string, number>> = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** A number with at most three decimals, trailing zeros dropped. */
export function formatNumber(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/** The largest unit in which `bytes` is at least 1. */
export function sizeUnitFor(bytes: number): string {
  for (const unit of ['T', 'G', 'M', 'K']) if (Math.abs(bytes) >= SIZE_FACTORS[unit]!) return unit;
  return 'B';
}

/** `3.2GB`, `512MB`, `10B`. */
export function formatSize(bytes: number): string {
  const unit = sizeUnitFor(bytes);
  return `${formatNumber(bytes / SIZE_FACTORS[unit]!)}${unit === 'B' ? 'B' : `${unit}B`}`;
}
