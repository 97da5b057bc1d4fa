// A loaded module: NSClient++'s "plugin", an instance of a module under an alias, with a kernel
// session of its own. Every handler it registered runs inside that session (kernel.call), so a
// module's timers, wheels and posts belong to it, and a handler that throws is caught here and
// reported, instead of raising the kernel's DIE.
import { ARG0, ARG1, ARG2, KERNEL, type Kernel, type Logger, Session, componentLogger } from '@poets/kernel';
import type { Agent } from './agent.js';
import { Core, Registry, Settings, type ApiOwner } from './api.js';
import type { MaybePromise } from './requests.js';
import type { Registrant } from './registry.js';

/** What a module is: NSClient++'s name for it, and how to start an instance of it. */
export interface ModuleDefinition {
  /** NSClient++'s module name, e.g. `NSCAClient`, `CheckExternalScripts`. */
  readonly name: string;
  readonly description?: string;
  /** The alias (and settings path `/settings/<alias>`) an instance gets when loaded as `Name = enabled`; default the name. */
  readonly defaultAlias?: string;
  /** Starts an instance: registers its queries, subscriptions... through `plugin`. May return what unloads it. */
  load(plugin: Plugin): MaybePromise<ModuleInstance | void>;
}

/** A running instance of a module, as its definition's `load` returned it. */
export interface ModuleInstance {
  /** Called when the instance is unloaded (or the agent stops), after its registrations are gone. */
  unload?(): MaybePromise<void>;
}

/** What a handler threw, returned in place of its value by Plugin.call. */
export class HandlerFailure {
  constructor(readonly error: unknown) {}

  get message(): string {
    return this.error instanceof Error ? this.error.message : String(this.error);
  }
}

const RUN = '_agent_run';

function runState(_: unknown[]): unknown {
  const fn = _[ARG0] as (a: unknown, b: unknown) => unknown;
  try {
    return fn(_[ARG1], _[ARG2]);
  } catch (error) {
    return new HandlerFailure(error);
  }
}

/** A kernel session that runs the handlers of one module instance, one script, or the core (no alias, its own events). */
export function handlerSession(kernel: Kernel, alias: string | undefined, events: Record<string, () => void> = {}): Session {
  return Session.create({
    kernel,
    inline_states: {
      ...events,
      _start: (_: unknown[]) => {
        if (alias !== undefined) (_[KERNEL] as Kernel).alias_set(alias);
      },
      [RUN]: runState,
    },
  });
}

/** Runs `fn(a, b)` inside `session` and returns its value, or a HandlerFailure when it threw. */
export function runIn<A, B, R>(kernel: Kernel, session: Session, fn: (a: A, b: B) => R, a?: A, b?: B): R | HandlerFailure {
  return kernel.call(session, RUN, fn, a, b) as R | HandlerFailure;
}

/** NSClient++'s plugin: one module loaded under one alias. */
export class Plugin implements Registrant {
  /** The component every line of this plugin names: its alias. */
  readonly logger: Logger;
  /** The session its handlers run in (alias: the plugin's alias). */
  readonly session: Session;
  readonly kernel: Kernel;
  instance: ModuleInstance | undefined = undefined;
  private readonly unloadWatchers = new Set<() => void>();
  private isLoaded = true;

  constructor(
    /** NSClient++'s plugin_id: the agent numbers its plugins from 0 in load order. */
    readonly id: number,
    readonly module: ModuleDefinition,
    /** The alias it is loaded under; its settings live under `/settings/<alias>`. */
    readonly alias: string,
    /** The agent it is loaded in. */
    readonly agent: Agent,
    logger: Logger,
  ) {
    this.kernel = agent.kernel;
    this.logger = componentLogger(logger, alias);
    this.session = handlerSession(this.kernel, alias);
    this.kernel.refcount_increment(this.session.ID(), 'agent plugin');
  }

  /** Registrant: the plugin itself registers under its alias. */
  get plugin(): Plugin {
    return this;
  }

  get name(): string {
    return this.alias;
  }

  /** The script API's Registry, acting for this plugin: how a module registers queries, commands, subscriptions. */
  get registry(): Registry {
    return new Registry(this.apiOwner());
  }

  /** The script API's Core, acting for this plugin. */
  get core(): Core {
    return new Core(this.apiOwner());
  }

  /** The script API's Settings, acting for this plugin. */
  get settings(): Settings {
    return new Settings(this.apiOwner());
  }

  /** The settings section of this instance: `/settings/<alias>`. */
  get settingsPath(): string {
    return `/settings/${this.alias}`;
  }

  private apiOwner(): ApiOwner {
    return { agent: this.agent, registrant: this, logger: this.logger };
  }

  get loaded(): boolean {
    return this.isLoaded;
  }

  /** Runs `fn(a, b)` in the plugin's session. */
  call<A, B, R>(fn: (a: A, b: B) => R, a?: A, b?: B): R | HandlerFailure {
    return runIn(this.kernel, this.session, fn, a, b);
  }

  /**
   * Calls `onUnload` if the plugin is unloaded before the returned function is called (how a
   * query still running answers UNKNOWN). Call the returned function when done: nothing is kept.
   */
  watchUnload(onUnload: () => void): () => void {
    if (!this.isLoaded) {
      onUnload();
      return () => {};
    }
    this.unloadWatchers.add(onUnload);
    return () => void this.unloadWatchers.delete(onUnload);
  }

  /** @internal Releases the session (it stops once its pending events are done). */
  release(): void {
    if (!this.isLoaded) return;
    this.isLoaded = false;
    for (const watcher of [...this.unloadWatchers]) watcher();
    this.unloadWatchers.clear();
    releaseSession(this.kernel, this.session, this.alias, 'agent plugin');
  }
}

/** Drops what keeps a handler session alive, so the kernel stops it. */
export function releaseSession(kernel: Kernel, session: Session, alias: string, tag: string): void {
  kernel.refcount_decrement(session.ID(), tag);
  const owner = kernel.alias_resolve(alias);
  if (owner === session) {
    // alias_remove acts on the active session: run it inside the session being released.
    runIn(kernel, session, () => kernel.alias_remove(alias));
  }
}
