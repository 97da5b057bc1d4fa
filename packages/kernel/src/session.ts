import { activeKernel, defaultKernel, type Kernel } from './kernel-context.js';
import { ARG0, CALLER_FILE, CALLER_LINE, HEAP, OBJECT, SESSION, STATE, type DefaultHeap, type EventMap, type Handler } from './slots.js';

/**
 * `inline_states`: event name → handler, typed per event when the session describes its events;
 * events it does not describe (`_start`, `_stop`, `_default`...) take handlers with untyped arguments.
 */
export type InlineStates<Heap, Events extends EventMap> = {
  [E in keyof Events & string]?: Handler<Heap, Events[E]>;
} & { [event: string]: Handler<Heap> | undefined };

/** An event → method binding for `object_states`/`package_states`: a list of names or a map. */
export type MethodBinding = readonly string[] | Readonly<Record<string, string>>;

/**
 * `object_states` / `package_states`, in POE's flat shape: `[object, binding, object, binding...]`,
 * where each object is an instance (object_states) or a class or module object (package_states).
 */
export type StateBindings = ReadonlyArray<object | MethodBinding>;

/** POE's session options: `trace` logs each dispatch, `default` warns of events nobody handles. */
export interface SessionFlags {
  trace?: boolean;
  debug?: boolean;
  default?: boolean;
  [option: string]: unknown;
}

export interface SessionOptions<Heap, Events extends EventMap> {
  inline_states?: InlineStates<Heap, Events>;
  object_states?: StateBindings;
  package_states?: StateBindings;
  heap?: Heap;
  /** Arguments for `_start`: ARG0... */
  args?: readonly unknown[];
  options?: SessionFlags;
  /** The kernel to run in: by default the kernel dispatching the current event, else `poe_kernel`. */
  kernel?: Kernel;
}

/** A function that posts (postback) or calls (callback) its session's event; `release()` frees its hold. */
export interface Postback {
  (...args: unknown[]): unknown;
  /** Ends the hold this postback has on its session (POE ends it in DESTROY). Idempotent. */
  release(): void;
}

/** One handler in a session's state table. */
export class State {
  constructor(
    /** For inline states, the function; unused for object and package states. */
    readonly fn: Function | undefined,
    /** OBJECT: the object or package a method is called on. */
    readonly object: object | undefined,
    readonly method: string,
  ) {}

  /** Calls the bound object's method (for object and package states); `owner` names the session in the error. */
  callMethod(_: unknown[], owner: string, event: string): unknown {
    const target = this.object as Record<string, unknown>;
    const method = target[this.method];
    if (typeof method !== 'function') throw new TypeError(`${owner}: '${this.method}' is not a method of the object bound to '${event}'`);
    return method.call(target, _);
  }
}

// Sessions made from the same inline_states object share one state table until one changes it.
const sharedTables = new WeakMap<object, Map<string, State>>();
const NO_OPTIONS: SessionFlags = Object.freeze({});

// A postback not released by hand is released when it is garbage-collected, like POE's DESTROY.
const unreleased = new FinalizationRegistry<() => void>((release) => release());

/** A session: a heap and a table of event handlers, run by a kernel (POE::Session). */
export class Session<Heap = unknown> {
  /** @internal */ id = 0;
  /** @internal */ readonly kernel: Kernel;
  /** @internal */ readonly heap: Heap;
  /** @internal */ states: Map<string, State>;
  /** @internal Whether `states` is this session's own (else shared, copied before a change). */
  private ownStates: boolean;
  /** @internal */ options: SessionFlags;
  /** @internal */ traced: boolean;
  /** @internal */ parent: Session | Kernel | null = null;
  /** @internal Created with the first child. */ children: Set<Session> | undefined = undefined;
  /** @internal Holds other than queued events: aliases, extra refs, children, handles, sig_child. */
  refs = 0;
  /** @internal Events queued to this session. */ evTo = 0;
  /** @internal Events queued by this session to others. */ evFrom = 0;
  /** @internal */ gcMarked = false;
  /** @internal */ alive = false;
  /** @internal */ stopping = false;
  /** @internal */ readonly aliases: string[] = [];
  /** @internal */ extrefs: Map<string, number> | undefined = undefined;
  /** @internal Signals watched, created with the first. */ signals: Set<string> | undefined = undefined;
  /** @internal Child PIDs watched, created with the first. */ childPids: Set<number> | undefined = undefined;

  /** Sessions are made by `Session.create` (and `NFA.spawn`). */
  protected constructor(kernel: Kernel, heap: Heap, options: SessionFlags, states: Map<string, State>, ownStates: boolean) {
    this.kernel = kernel;
    this.heap = heap;
    this.options = options;
    this.traced = options.trace === true;
    this.states = states;
    this.ownStates = ownStates;
  }

  /** Creates a session, runs its `_start` at once and returns it (POE::Session->create). */
  static create<Heap = DefaultHeap, Events extends EventMap = EventMap>(options: SessionOptions<Heap, Events>): Session<Heap> {
    const kernel = options.kernel ?? activeKernel() ?? defaultKernel();
    const { inline_states: inline, object_states: objects, package_states: packages } = options;
    const shareable = inline !== undefined && objects === undefined && packages === undefined;
    let states = shareable ? sharedTables.get(inline) : undefined;
    if (states === undefined) {
      states = new Map();
      for (const [name, fn] of Object.entries(inline ?? {})) {
        if (typeof fn !== 'function') throw new TypeError(`inline_states: '${name}' is not a function`);
        states.set(name, new State(fn, undefined, name));
      }
      bindAll(states, objects, 'object_states');
      bindAll(states, packages, 'package_states');
      if (states.size === 0) throw new TypeError('Session.create: the session has no states (give inline_states, object_states or package_states)');
      if (shareable) sharedTables.set(inline, states);
    }
    const flags = options.options === undefined ? NO_OPTIONS : { ...options.options };
    const session = new Session<Heap>(kernel, options.heap ?? ({} as Heap), flags, states, !shareable);
    kernel.session_alloc(session as Session, options.args ?? []);
    return session;
  }

  ID(): number {
    return this.id;
  }

  get_heap(): Heap {
    return this.heap;
  }

  /** Whether the session still runs: false once it has stopped (after its `_stop`); events to it are then refused. */
  isAlive(): boolean {
    return this.alive;
  }

  /** Reads an option, or sets it and returns its previous value. */
  option(name: string, value?: unknown): unknown {
    const old = this.options[name];
    if (arguments.length > 1) {
      if (this.options === NO_OPTIONS) this.options = {};
      this.options[name] = value;
      if (name === 'trace') this.traced = value === true;
    }
    return old;
  }

  /**
   * A function that posts `event` to this session with ARG0 = `args` given here and
   * ARG1 = the arguments it is called with. It holds the session alive until `release()`.
   */
  postback(event: string, ...args: unknown[]): Postback {
    return this.anonymousEvent('postback', event, this.postback, (kernel, given) => kernel.post(this, event, args, given));
  }

  /** Like `postback`, but calls the event synchronously and returns the handler's value. */
  callback(event: string, ...args: unknown[]): Postback {
    return this.anonymousEvent('callback', event, this.callback, (kernel, given) => kernel.call(this, event, args, given));
  }

  toString(): string {
    return `session ${this.id}${this.aliases.length > 0 ? ` (${this.aliases.join(', ')})` : ''}`;
  }

  /** @internal Replaces (or with no handler removes) one state: the kernel's `state()`. */
  setState(name: string, state: State | undefined): void {
    if (!this.ownStates) {
      this.states = new Map(this.states);
      this.ownStates = true;
    }
    if (state) this.states.set(name, state);
    else this.states.delete(name);
  }

  /**
   * @internal Runs the handler for `event`, or `_default` (POE::Session::_invoke_state).
   * `_` arrives with KERNEL, SENDER, the caller slots and the arguments filled.
   */
  invoke(event: string, _: unknown[]): unknown {
    if (this.traced) this.kernel.warn(`${this.id} -> ${event} (from ${_[CALLER_FILE] ?? '?'} at ${_[CALLER_LINE] ?? '?'})`);
    let state = this.states.get(event);
    if (state === undefined) {
      state = this.states.get('_default');
      if (state === undefined) {
        if (this.options.default && event !== '_signal') {
          this.kernel.warn(
            `a '${event}' event was sent from ${_[CALLER_FILE] ?? '?'} at ${_[CALLER_LINE] ?? '?'} to ${this} but ${this} has neither a handler for it nor one for _default`,
          );
        }
        return undefined;
      }
      if (this.traced) this.kernel.warn(`${this.id} -> ${event} redirected to _default`);
      const args = _.slice(ARG0);
      _ = _.slice(0, ARG0);
      _.push(event, args);
      event = '_default';
    }
    _[OBJECT] = state.object;
    _[SESSION] = this;
    _[HEAP] = this.heap;
    _[STATE] = event;
    if (state.fn !== undefined) return state.fn(_);
    return state.callMethod(_, String(this), event);
  }

  private anonymousEvent(tag: 'postback' | 'callback', event: string, method: Function, send: (kernel: Kernel, given: unknown[]) => unknown): Postback {
    const kernel = this.kernel;
    const held = kernel.refcount_increment(this.id, tag) !== undefined;
    let released = !held;
    const record = held ? kernel.openPostback(this as Session, tag, event, method) : undefined;
    const release = () => {
      if (released) return;
      released = true;
      kernel.closePostback(this as Session, record!);
      kernel.refcount_decrement(this.id, tag);
    };
    const postback = ((...given: unknown[]) => send(kernel, given)) as Postback;
    postback.release = () => {
      unreleased.unregister(postback);
      release();
    };
    if (held) unreleased.register(postback, release, postback);
    return postback;
  }
}

function bindAll(states: Map<string, State>, bindings: StateBindings | undefined, option: string): void {
  if (bindings === undefined) return;
  if (bindings.length % 2 !== 0) throw new TypeError(`${option}: expected [object, binding, object, binding...]`);
  for (let i = 0; i < bindings.length; i += 2) {
    const object = bindings[i] as object;
    const binding = bindings[i + 1] as MethodBinding;
    if (Array.isArray(binding)) {
      for (const name of binding as readonly string[]) states.set(name, new State(undefined, object, name));
    } else if (binding !== null && typeof binding === 'object') {
      for (const [name, method] of Object.entries(binding as Record<string, string>)) states.set(name, new State(undefined, object, method));
    } else {
      throw new TypeError(`${option}: the binding after an object must be a list of events or an event → method map`);
    }
  }
}
