// What session.ts needs of kernel.ts without importing it: which kernel is dispatching now and
// which one is the process-wide default. Kernel fills both; sessions, NFAs and wheels read them.
// The types only are taken from kernel.ts, so the two modules form no cycle at run time.
import type { Kernel } from './kernel.js';

export type { Kernel };

/** The kernel whose handler is running now; written by `Kernel`'s dispatch around each handler. */
export const dispatchContext: { active: Kernel | undefined } = { active: undefined };

let processKernel: Kernel | undefined;

/** The kernel whose handler is running now, if any. */
export function activeKernel(): Kernel | undefined {
  return dispatchContext.active;
}

/** The process-wide kernel (`poe_kernel`), which sessions made outside any handler run in. */
export function defaultKernel(): Kernel {
  return processKernel!;
}

/** Set once, by kernel.ts, when it makes `poe_kernel`. */
export function setDefaultKernel(kernel: Kernel): void {
  processKernel = kernel;
}
