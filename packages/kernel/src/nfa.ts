import { activeKernel, poe_kernel, type Kernel } from './kernel.js';
import { Session, State, type MethodBinding, type SessionFlags } from './session.js';
import { ARG0, CALLER_FILE, CALLER_LINE, OBJECT, SENDER, type DefaultHeap } from './slots.js';

// POE::NFA's own handler slots. OBJECT, KERNEL, SENDER, CALLER_* and ARG0.. are POE::Session's
// numbers; MACHINE, RUNSTATE and EVENT sit where SESSION, HEAP and STATE do in a session, and
// NFA.STATE (6) is the machine's current state name (POE::NFA's STATE; `STATE` is POE::Session's).
export const MACHINE = 1;
export const RUNSTATE = 3;
export const EVENT = 4;
const NFA_STATE = 6;

/** The one array an NFA handler receives: `_[MACHINE]`, `_[RUNSTATE]`, `_[EVENT]`, `_[NFA.STATE]`, `_[ARG0]`... */
export type NFAEventArgs<Runstate = DefaultHeap> = unknown[] & {
  0: unknown;
  1: NFA<Runstate>;
  2: Kernel;
  3: Runstate;
  4: string;
  5: Session | Kernel;
  6: string;
  7: string | undefined;
  8: number | undefined;
  9: string | undefined;
};

/** An NFA handler (a method, so that a handler may narrow `_`'s type). */
export type NFAHandler<Runstate = DefaultHeap> = { handle(_: NFAEventArgs<Runstate>): unknown }['handle'];

/** For object_states / package_states: state name → `[object, binding, object, binding...]`. */
export type NFAStateBindings = Readonly<Record<string, ReadonlyArray<object | MethodBinding>>>;

export interface NFAOptions<Runstate> {
  /** State name → { event: handler }. */
  inline_states?: Readonly<Record<string, Readonly<Record<string, NFAHandler<Runstate>>>>>;
  object_states?: NFAStateBindings;
  package_states?: NFAStateBindings;
  /** The machine's data, `_[RUNSTATE]` (POE's default: an empty hash). */
  runstate?: Runstate;
  /** `trace`, `default`, `debug` as for sessions, and `immediate`: state changes are calls, not posts. */
  options?: SessionFlags & { immediate?: boolean };
  /** The kernel to run in (new to the port): by default the one dispatching, else `poe_kernel`. */
  kernel?: Kernel;
}

// The machine's own events, POE's names: what goto_state, call_state, return_state and stop post.
const GOTO_STATE = 'poe_nfa_goto_state';
const POP_STATE = 'poe_nfa_pop_state';
const PUSH_STATE = 'poe_nfa_push_state';
const STOP = 'poe_nfa_stop';

const KNOWN = ['inline_states', 'object_states', 'package_states', 'runstate', 'options', 'kernel'];

/**
 * POE::NFA: a session that is a state machine. Each state has its own table of event handlers;
 * `goto_state(state, entryEvent, ...args)` moves the machine (after a `leave` event in the state
 * it leaves, when that state has one), `call_state`/`return_state` move through a stack of
 * states, `stop()` ends it. Events with no handler in the current state go to that state's
 * `_default`, then to handlers added with the kernel's `state()`; one that nobody handles is an
 * error, raised as DIE, as POE dies. The machine ignores `_start` and `_stop`, as POE's does: it
 * begins with the `goto_state` its creator calls on it.
 */
export class NFA<Runstate = DefaultHeap> extends Session<Runstate> {
  /** POE::NFA's STATE slot: the machine's current state name. */
  static readonly STATE = NFA_STATE;

  private readonly machine: Map<string, Map<string, State>>;
  private current: Map<string, State> | undefined = undefined;
  private currentName = '(undef)';
  private readonly stack: [state: string, event: string | undefined][] = [];

  private constructor(kernel: Kernel, runstate: Runstate, flags: SessionFlags, machine: Map<string, Map<string, State>>) {
    // The session's own state table holds what the kernel's state() adds (POE's SELF_INTERNALS).
    super(kernel, runstate, flags, new Map(), true);
    this.machine = machine;
  }

  /** Creates the machine and returns it; call `goto_state` on it to start it (POE::NFA->spawn). */
  static spawn<Runstate = DefaultHeap>(options: NFAOptions<Runstate>): NFA<Runstate> {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new TypeError('POE::NFA: spawn() takes an options object (POE: odd number of events/handlers)');
    }
    const { inline_states: inline, object_states: objects, package_states: packages } = options;
    if (inline === undefined && objects === undefined && packages === undefined) {
      throw new TypeError('POE::NFA constructor requires at least one of the following parameters: inline_states, object_states, package_states');
    }
    const unknown = Object.keys(options).filter((name) => !KNOWN.includes(name));
    if (unknown.length > 0) throw new TypeError(`POE::NFA constructor does not recognize these parameter names: ${unknown.sort().join(', ')}`);
    const machine = new Map<string, Map<string, State>>();
    for (const [name, handlers] of Object.entries(inline ?? {})) {
      const table = new Map<string, State>();
      for (const [event, fn] of Object.entries(handlers)) {
        if (typeof fn !== 'function') throw new TypeError(`POE::NFA: inline_states: '${name}' → '${event}' is not a function`);
        table.set(event, new State(fn, undefined, event));
      }
      machine.set(name, table);
    }
    addRefStates(machine, objects);
    addRefStates(machine, packages);
    const kernel = options.kernel ?? activeKernel() ?? poe_kernel;
    const flags: SessionFlags = { ...(options.options ?? {}) };
    const nfa = new NFA<Runstate>(kernel, options.runstate ?? ({} as Runstate), flags, machine);
    kernel.session_alloc(nfa as unknown as Session, []);
    return nfa;
  }

  /** The current state's name (`'(undef)'` before the first goto_state). */
  get_current_state(): string {
    return this.currentName;
  }

  get_runstate(): Runstate {
    return this.heap;
  }

  /** Moves to `state`, then dispatches `entryEvent` there with `args`. Posted, or called at once before the first state (or with `immediate`). */
  goto_state(state: string, entryEvent?: string, ...args: unknown[]): void {
    if (this.current !== undefined && !this.options.immediate) this.kernel.post(this, GOTO_STATE, state, entryEvent, ...args);
    else this.kernel.call(this, GOTO_STATE, state, entryEvent, ...args);
  }

  /** Stops the machine (posted). */
  stop(): void {
    this.kernel.post(this, STOP);
  }

  /** Pushes the current state with `returnEvent`, then goes to `state` (a subroutine call between states). */
  call_state(returnEvent: string | undefined, state: string, entryEvent?: string, ...args: unknown[]): void {
    if (this.options.immediate) this.kernel.call(this, PUSH_STATE, returnEvent, state, entryEvent, ...args);
    else this.kernel.post(this, PUSH_STATE, returnEvent, state, entryEvent, ...args);
  }

  /** Returns to the state call_state left, dispatching its return event with `args`. */
  return_state(...args: unknown[]): void {
    if (this.options.immediate) this.kernel.call(this, POP_STATE, ...args);
    else this.kernel.post(this, POP_STATE, ...args);
  }

  override toString(): string {
    return `NFA ${super.toString()}`;
  }

  /** @internal POE::NFA::_invoke_state. */
  override invoke(event: string, _: unknown[]): unknown {
    if (this.traced) this.kernel.warn(`${this.id} -> ${event}`);
    if (event === '_start' || event === '_stop') return undefined;
    const args = _.slice(ARG0);
    switch (event) {
      case STOP:
        this.kernel.stopNow(this as unknown as Session);
        return undefined;
      case GOTO_STATE:
        this.enter(_, args[0] as string, args[1] as string | undefined, args.slice(2));
        return undefined;
      case PUSH_STATE:
        this.stack.push([this.currentName, args[0] as string | undefined]);
        this.enter(_, args[1] as string, args[2] as string | undefined, args.slice(3));
        return undefined;
      case POP_STATE: {
        const top = this.stack.pop();
        if (top === undefined) throw new Error(`${this.id} tried to pop a state from an empty stack`);
        this.enter(_, top[0], top[1], args);
        return undefined;
      }
    }
    let state = this.current?.get(event) ?? this.states.get(event);
    if (state === undefined) {
      state = this.current?.get('_default');
      if (state === undefined) {
        if (event === '_signal') return undefined;
        throw new Error(
          `a '${event}' event was sent from ${_[CALLER_FILE] ?? '?'} at ${_[CALLER_LINE] ?? '?'} to session ${this.id}, but session ${this.id} ` +
            `has neither a handler for it nor one for _default in its current state, '${this.currentName}'`,
        );
      }
      if (this.traced) this.kernel.warn(`${this.id} -> ${event} redirected to _default in state '${this.currentName}'`);
      _ = _.slice(0, ARG0);
      _.push(event, args);
      event = '_default';
    }
    _[OBJECT] = state.object;
    _[MACHINE] = this;
    _[RUNSTATE] = this.heap;
    _[EVENT] = event;
    _[NFA_STATE] = this.currentName;
    if (state.fn !== undefined) return state.fn(_);
    return state.callMethod(_, String(this), event);
  }

  /** The machine's move: leave (if the state has one), change state, then the entry event. */
  private enter(_: unknown[], state: string, entryEvent: string | undefined, args: unknown[]): void {
    const next = this.machine.get(state);
    if (next === undefined) throw new Error(`${this.id} tried to enter nonexistent state '${state}'`);
    if (entryEvent !== undefined && entryEvent !== null && !next.has(entryEvent)) {
      throw new Error(`${this.id} tried to invoke nonexistent enter event '${entryEvent}' in state '${state}'`);
    }
    if (this.current?.has('leave')) this.invoke('leave', this.internal(_, []));
    this.current = next;
    this.currentName = state;
    if (entryEvent !== undefined && entryEvent !== null) this.invoke(entryEvent, this.internal(_, args));
  }

  /** The slots of an event the machine sends itself: no caller, sent by the machine. */
  private internal(_: unknown[], args: unknown[]): unknown[] {
    const inner = _.slice(0, ARG0);
    inner[SENDER] = this;
    inner[CALLER_FILE] = inner[CALLER_LINE] = undefined;
    inner.push(...args);
    return inner;
  }
}

/** POE::NFA's _add_ref_states: object_states / package_states, per state, with POE's complaints. */
function addRefStates(machine: Map<string, Map<string, State>>, refs: NFAStateBindings | undefined): void {
  if (refs === undefined) return;
  for (const [name, data] of Object.entries(refs)) {
    if (!Array.isArray(data)) throw new TypeError(`POE::NFA: the data for state '${name}' should be an array`);
    if (data.length % 2 !== 0) throw new TypeError(`POE::NFA: the array for state '${name}' has an odd number of elements`);
    const table = machine.get(name) ?? new Map<string, State>();
    machine.set(name, table);
    for (let i = 0; i < data.length; i += 2) {
      const object = data[i] as object;
      const events = data[i + 1];
      if (Array.isArray(events)) {
        for (const event of events as string[]) table.set(event, new State(undefined, object, event));
      } else if (events !== null && typeof events === 'object') {
        for (const [event, method] of Object.entries(events as Record<string, string>)) table.set(event, new State(undefined, object, method));
      } else {
        throw new TypeError(`POE::NFA: events with '${String((object as { name?: string }).name ?? object)}' for state '${name}' need to be a hash or array ref`);
      }
    }
  }
}
