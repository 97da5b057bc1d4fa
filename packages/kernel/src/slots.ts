import type { Kernel } from './kernel.js';
import type { Session } from './session.js';

// Handler argument slots, numbered exactly as POE's (POE::Session constants).
export const OBJECT = 0;
export const SESSION = 1;
export const KERNEL = 2;
export const HEAP = 3;
export const STATE = 4;
export const SENDER = 5;
export const CALLER_FILE = 7;
export const CALLER_LINE = 8;
export const CALLER_STATE = 9;
export const ARG0 = 10;
export const ARG1 = 11;
export const ARG2 = 12;
export const ARG3 = 13;
export const ARG4 = 14;
export const ARG5 = 15;
export const ARG6 = 16;
export const ARG7 = 17;
export const ARG8 = 18;
export const ARG9 = 19;

/** Argument `I` of an argument tuple; `unknown` past its end, where other events may carry more. */
type ArgAt<Args extends readonly unknown[], I extends string> = I extends keyof Args ? Args[I] : unknown;

/** A heap whose members are not described: each member reads as `unknown`. */
export type DefaultHeap = Record<string, unknown>;

/** Describes a session's events: event name → its argument tuple (ARG0, ARG1, ...). */
export type EventMap = Record<string, readonly unknown[]>;

/**
 * The one array a handler receives, POE's `@_`: `_[KERNEL]`, `_[HEAP]`, `_[ARG0]`...
 * `_.slice(ARG0)` is the argument list. `Args` types ARG0..ARG9 when a session describes its events.
 */
export type EventArgs<Heap = DefaultHeap, Args extends readonly unknown[] = readonly unknown[]> = unknown[] & {
  0: unknown;
  1: Session<Heap>;
  2: Kernel;
  3: Heap;
  4: string;
  5: Session | Kernel;
  6: undefined;
  7: string | undefined;
  8: number | undefined;
  9: string | undefined;
  10: ArgAt<Args, '0'>;
  11: ArgAt<Args, '1'>;
  12: ArgAt<Args, '2'>;
  13: ArgAt<Args, '3'>;
  14: ArgAt<Args, '4'>;
  15: ArgAt<Args, '5'>;
  16: ArgAt<Args, '6'>;
  17: ArgAt<Args, '7'>;
  18: ArgAt<Args, '8'>;
  19: ArgAt<Args, '9'>;
};

/**
 * A state handler. Its return value is what `call()` returns and what `_stop` reports to `_child`.
 * Declared as a method so its parameter is bivariant: a handler may annotate `_` with the
 * argument types it expects (`_: EventArgs<Heap, [count: number]>`), as a typed port would.
 */
export type Handler<Heap = DefaultHeap, Args extends readonly unknown[] = readonly unknown[]> = {
  handle(_: EventArgs<Heap, Args>): unknown;
}['handle'];
