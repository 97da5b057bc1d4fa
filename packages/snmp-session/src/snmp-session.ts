import { ARG0, KERNEL, SENDER, Session, componentLogger, poe_kernel, type EventArgs, type Kernel, type LogContext, type Logger, type Watched } from '@poets/kernel';
import { Observable } from 'rxjs';
import { netSnmp, stampTrapEngineTime, type NetSnmpSession, type NetSnmpVarbind } from './engine.js';
import { SNMPERR_GENERR, SNMPERR_TIMEOUT, SNMPError, SNMPSessionOptionError } from './errors.js';
import type { ResponseFormat } from './format.js';
import { RateLimitedLog } from './log.js';
import { mibIndex, wireOid, type MibIndex } from './mib.js';
import { engineSetup, flag, responseFormat, type EngineSetup, type SNMPSessionOptions } from './options.js';
import { fromEngineVarbind, isException, toEngineVarbind, varbindOid, varList, type SnmpValue, type Varbind, type VarList, type Vars } from './varbind.js';

/** The requests the component knows. */
export type SNMPCommand = 'get' | 'getnext' | 'getbulk' | 'bulkwalk' | 'set' | 'walk' | 'trap' | 'inform';
export const SNMP_COMMANDS: readonly SNMPCommand[] = ['get', 'getnext', 'getbulk', 'bulkwalk', 'set', 'walk', 'trap', 'inform'];

/**
 * What identifies a trap or inform: a generic trap number (0 coldStart … 5 egpNeighborLoss, 6
 * enterpriseSpecific: on v2c/v3 it becomes snmpTraps.(n+1)), or an OID or name (the
 * snmpTrapOID on v2c/v3; on v1 `enterprise.specific`: net-snmp sends generic 6 with the last
 * sub-identifier as the specific trap and the rest as the enterprise).
 */
export type TrapId = number | string;

/** Options of a trap or inform: net-snmp's (`upTime` in hundredths, v1 `agentAddr`, `specificTrap`...). */
export interface TrapOptions {
  upTime?: number;
  agentAddr?: string;
  [option: string]: unknown;
}

/**
 * What a response carries: a VarList (get, getnext, getbulk, set), or one VarList per requested
 * variable (bulkwalk, walk), or undefined on an error (read it as `ErrorStr`).
 */
export type SNMPResult = VarList | VarList[] | undefined;

/** The session object a callback sees: the component, with this request's error. */
export interface SNMPSessionView {
  readonly ErrorStr: string;
  readonly ErrorNum: number;
  readonly ErrorInd: number;
  readonly DestHost: string;
  /**
   * SNMPv3: the engine ID this request used, in hex: the component's own for a trap (its
   * SecEngineId), the peer's (discovered) for a request or an inform; '' before any is known and on v1/v2c.
   */
  readonly SecEngineId: string;
  readonly component: SNMPSession;
}

/** ARG0 of a callback: `[alias, host, session, command, ...args]`. */
export type SNMPRequestInfo = [alias: string, host: string, session: SNMPSessionView, command: SNMPCommand, ...args: unknown[]];
/** ARG1 of a callback: `[result]`. */
export type SNMPResponse = [result: SNMPResult];

/** A callback state name, or (new to the port) a function called with ARG0 and ARG1. */
export type SNMPCallback = string | ((request: SNMPRequestInfo, response: SNMPResponse) => void);


interface Request {
  command: SNMPCommand;
  args: unknown[];
  callback: SNMPCallback;
  sender: Session | undefined;
  /** Called with each batch of varbinds a walk gathers (streams). */
  feed?: (varbinds: Varbind[]) => void;
  settled: boolean;
  /** The engine ID a v3 trap was sent with (reported in the callback's SecEngineId). */
  engineId?: string;
}

type Ev = EventArgs<Record<string, never>>;
const REFCOUNT_TAG = 'snmp-session-request';

/**
 * POE::Component::SNMP::Session: a session (alias 'snmp' by default) that performs SNMP
 * requests posted to it and posts each answer (or timeout) back to the requesting session.
 */
export class SNMPSession {
  readonly Alias: string;
  readonly DestHost: string;
  readonly RemotePort: number;
  readonly Version: 1 | 2 | 3;
  /** The last error (each callback's `session.ErrorStr` is that request's own). */
  ErrorStr = '';
  ErrorNum = 0;
  ErrorInd = 0;
  /** v1 get: drop a variable the agent has no such name for and ask again (Perl's RetryNoSuch). */
  readonly RetryNoSuch: boolean;
  /** The local UDP port requests leave from (0: any). */
  readonly LocalPort: number;
  readonly UseLongNames: boolean;
  readonly UseNumeric: boolean;
  readonly UseEnums: boolean;
  readonly UseSprintValue: boolean;

  private readonly kernel: Kernel;
  private readonly logger: Logger;
  private readonly format: ResponseFormat;
  /** Socket and decoding errors an agent can provoke at will: rate-limited. */
  private readonly floodLog: RateLimitedLog;
  private readonly session: Session;
  private readonly engine: NetSnmpSession;
  private readonly index: MibIndex = mibIndex();
  private readonly maxOutstanding: number;
  private readonly queue: Request[] = [];
  private readonly active = new Set<Request>();
  private finishing = false;
  private closed = false;
  private watching = false;
  private readonly handle: Watched;

  /** Starts a component; throws for bad options or an alias already in use. */
  static create(options: SNMPSessionOptions = {}): SNMPSession {
    return new SNMPSession(options);
  }

  private constructor(options: SNMPSessionOptions) {
    const kernel = options.kernel ?? poe_kernel;
    this.kernel = kernel;
    this.Alias = options.Alias ?? 'snmp';
    const setup: EngineSetup = engineSetup(options);
    this.DestHost = setup.host;
    this.RemotePort = setup.port;
    this.Version = setup.version;
    this.logger = componentLogger(options.logger ?? kernel.logger, 'SNMP::Session');
    this.floodLog = new RateLimitedLog(this.logger);
    this.format = responseFormat(options);
    ({ UseLongNames: this.UseLongNames, UseNumeric: this.UseNumeric, UseEnums: this.UseEnums, UseSprintValue: this.UseSprintValue } = this.format);
    this.RetryNoSuch = flag(options.RetryNoSuch);
    this.LocalPort = options.LocalPort ?? 0;
    this.maxOutstanding = options.maxOutstanding ?? 64;
    if (!Number.isInteger(this.maxOutstanding) || this.maxOutstanding < 1) throw new SNMPSessionOptionError(`bad maxOutstanding ${this.maxOutstanding}`);
    if (kernel.alias_resolve(this.Alias) !== undefined) throw new SNMPSessionOptionError(`alias '${this.Alias}' is already in use`);

    this.engine =
      setup.version === 3
        ? netSnmp.createV3Session(setup.host, setup.user ?? {}, setup.engineOptions)
        : netSnmp.createSession(setup.host, setup.community, setup.engineOptions);
    if (setup.version === 3) stampTrapEngineTime(this.engine);
    // A socket error (EHOSTUNREACH, EADDRINUSE for LocalPort...) is an error for the request it hit, not a crash.
    this.engine.on('error', (error) => {
      const message = String(error?.message ?? error);
      this.setError(message, SNMPERR_GENERR, 0);
      this.floodLog.log('warning', 'socket', `socket error: ${message}`, this.peer());
    });
    this.handle = { destroy: () => this.close('Session stopped') };

    const states: Record<string, (_: Ev) => unknown> = {
      _start: (_: Ev) => {
        _[KERNEL].alias_set(this.Alias);
      },
      finish: () => this.finish(),
      snmp_finish_alias: (_: Ev) => {
        _[KERNEL].alias_remove(this.Alias);
      },
      _stop: () => this.close('Session stopped'),
    };
    for (const command of SNMP_COMMANDS) {
      states[command] = (_: Ev) => {
        const sender = _[SENDER];
        const [callback, ...args] = _.slice(ARG0);
        if (typeof callback !== 'string' && typeof callback !== 'function') {
          this.logger.log('warning', `${command} needs a callback state; request ignored`, this.peer());
          return;
        }
        this.submit({ command, args, callback: callback as SNMPCallback, sender: sender instanceof Session ? sender : undefined, settled: false });
      };
    }
    this.session = Session.create({ kernel, inline_states: states });
  }

  /** The component's POE session ID. */
  session_id(): number {
    return this.session.ID();
  }

  /**
   * SNMPv3: the engine ID (hex) the component sends its traps with: SecEngineId when given, else
   * the one net-snmp made up (as `snmptrap` without -e). '' on v1/v2c.
   */
  get SecEngineId(): string {
    return this.Version === 3 ? (this.engine.engine?.engineID.toString('hex') ?? '') : '';
  }

  /** Requests accepted and not yet answered (in flight and queued). */
  pending(): number {
    return this.active.size + this.queue.length;
  }

  /**
   * Stops taking requests; those already accepted still get their responses or timeouts, then
   * the socket closes and the alias goes.
   */
  finish(): void {
    if (this.finishing) return;
    this.finishing = true;
    // alias_remove acts on the running session: go through the component's own state
    if (this.kernel.get_active_session() === this.session) this.kernel.alias_remove(this.Alias);
    else if (!this.closed) this.kernel.call(this.session, 'snmp_finish_alias');
    this.maybeClose();
  }

  // ---- Promise and rxjs helpers (new to the port) ----

  /** Any request, as a Promise of its result; rejects with SNMPError (ErrorStr) on an error. */
  request(command: SNMPCommand, ...args: unknown[]): Promise<SNMPResult> {
    return new Promise((resolve, reject) => {
      const accepted = this.submit({
        command,
        args,
        sender: undefined,
        settled: false,
        callback: (_request, [result]) => {
          if (result === undefined) reject(new SNMPError(_request[2].ErrorStr, _request[2].ErrorNum, _request[2].ErrorInd));
          else resolve(result);
        },
      });
      if (!accepted) reject(new SNMPError('The component has finished; request refused', SNMPERR_GENERR));
    });
  }

  get(vars: Vars): Promise<VarList> {
    return this.request('get', vars) as Promise<VarList>;
  }

  getNext(vars: Vars): Promise<VarList> {
    return this.request('getnext', vars) as Promise<VarList>;
  }

  getBulk(nonRepeaters: number, maxRepetitions: number, vars: Vars): Promise<VarList> {
    return this.request('getbulk', nonRepeaters, maxRepetitions, vars) as Promise<VarList>;
  }

  bulkWalk(nonRepeaters: number, maxRepetitions: number, vars: Vars): Promise<VarList[]> {
    return this.request('bulkwalk', nonRepeaters, maxRepetitions, vars) as Promise<VarList[]>;
  }

  walk(vars: Vars): Promise<VarList[]> {
    return this.request('walk', vars) as Promise<VarList[]>;
  }

  set(vars: Vars, value?: SnmpValue): Promise<VarList> {
    return (value === undefined ? this.request('set', vars) : this.request('set', vars, value)) as Promise<VarList>;
  }

  /**
   * Sends a trap (v1 Trap-PDU, v2c/v3 SNMPv2-Trap-PDU); resolves with an empty VarList once sent
   * (traps are not acknowledged).
   */
  trap(id: TrapId, vars: Vars = [], options: TrapOptions = {}): Promise<VarList> {
    return this.request('trap', id, vars, options) as Promise<VarList>;
  }

  /** Sends an inform (v2c/v3) and resolves with the receiver's answer; retried, then 'Timeout'. */
  inform(id: TrapId, vars: Vars = [], options: TrapOptions = {}): Promise<VarList> {
    return this.request('inform', id, vars, options) as Promise<VarList>;
  }

  /**
   * A walk (`bulkwalk` on v2c/v3, `walk` on v1) as a stream of Varbinds, emitted as each answer
   * arrives; errors with SNMPError; unsubscribing lets the walk finish without emitting.
   */
  walk$(vars: Vars, maxRepetitions = 20): Observable<Varbind> {
    return new Observable<Varbind>((subscriber) => {
      const command: SNMPCommand = this.Version === 1 ? 'walk' : 'bulkwalk';
      const args = command === 'walk' ? [vars] : [0, maxRepetitions, vars];
      const accepted = this.submit({
        command,
        args,
        sender: undefined,
        settled: false,
        feed: (varbinds) => {
          for (const varbind of varbinds) subscriber.next(varbind);
        },
        callback: (request, [result]) => {
          if (result === undefined) subscriber.error(new SNMPError(request[2].ErrorStr, request[2].ErrorNum, request[2].ErrorInd));
          else subscriber.complete();
        },
      });
      if (!accepted) subscriber.error(new SNMPError('The component has finished; request refused', SNMPERR_GENERR));
    });
  }

  // ---- internals ----

  private submit(request: Request): boolean {
    if (this.finishing || this.closed) return false;
    if (request.sender !== undefined) this.kernel.refcount_increment(request.sender.ID(), REFCOUNT_TAG);
    this.queue.push(request);
    this.pump();
    return true;
  }

  private pump(): void {
    while (this.active.size < this.maxOutstanding && this.queue.length > 0) {
      const request = this.queue.shift()!;
      this.active.add(request);
      this.hold();
      try {
        this.start(request);
      } catch (error) {
        this.fail(request, error instanceof Error ? error.message : String(error), SNMPERR_GENERR);
      }
    }
  }

  /** Holds the component alive (and Node's socket referenced) while requests are in flight. */
  private hold(): void {
    if (this.watching || this.closed) return;
    this.watching = true;
    this.kernel.watchHandle(this.session, this.handle);
    this.engine.dgram.ref();
  }

  private release(): void {
    if (!this.watching) return;
    this.watching = false;
    this.engine.dgram.unref();
    this.kernel.unwatchHandle(this.session, this.handle);
  }

  private start(request: Request): void {
    const { command, args } = request;
    const engine = this.engine;
    const index = this.index;
    const format = this.format;
    const oidsOf = (vars: unknown): string[] => varList(vars as Vars).map((vb) => varbindOid(vb, index));
    const wire = (vars: unknown): string[] => oidsOf(vars).map(wireOid);
    const convert = (varbinds: NetSnmpVarbind[]): VarList => varbinds.map((vb) => fromEngineVarbind(vb, index, format));
    switch (command) {
      case 'get':
      case 'getnext': {
        const oids = wire(args[0]);
        if (command === 'get' && this.RetryNoSuch && this.Version === 1) return this.getRepairing(request, oids);
        const method = command === 'get' ? engine.get : engine.getNext;
        method.call(engine, oids, (error, varbinds) => {
          if (error) this.engineError(request, error, oids);
          else this.succeed(request, convert(varbinds));
        });
        return;
      }
      case 'getbulk': {
        if (this.Version === 1) return this.fail(request, 'Cannot getbulk() a SNMPv1 session', SNMPERR_GENERR);
        const [nonRepeaters, maxRepetitions, vars] = bulkArgs(args);
        const oids = wire(vars);
        engine.getBulk(oids, nonRepeaters, maxRepetitions, (error, grouped) => {
          if (error) return this.engineError(request, error, oids);
          this.succeed(request, convert(interleave(grouped, Math.min(nonRepeaters, oids.length))));
        });
        return;
      }
      case 'set': {
        const varbinds = setList(args).map((vb) => toEngineVarbind(vb, index));
        const oids = varbinds.map((vb) => vb.oid);
        engine.set(varbinds, (error, result) => {
          if (error) this.engineError(request, error, oids);
          else this.succeed(request, convert(result));
        });
        return;
      }
      case 'walk':
        return this.runWalk(request, oidsOf(args[0]), 0, 0);
      case 'trap':
      case 'inform': {
        if (command === 'inform' && this.Version === 1) return this.fail(request, 'Cannot inform() a SNMPv1 session', SNMPERR_GENERR);
        const id = args[0];
        if (typeof id !== 'number' && typeof id !== 'string') return this.fail(request, `bad trap id ${String(id)}`, SNMPERR_GENERR);
        const trapOid = typeof id === 'number' ? id : index.resolve(id);
        const varbinds = args[1] === undefined || (Array.isArray(args[1]) && args[1].length === 0) ? [] : varList(args[1] as Vars).map((vb) => toEngineVarbind(vb, index));
        const options = { ...((args[2] as TrapOptions | undefined) ?? {}) };
        if (command === 'trap') {
          request.engineId = this.SecEngineId;
          engine.trap(trapOid, varbinds, options, (error) => {
            if (error) this.engineError(request, error);
            else this.succeed(request, []);
          });
        } else {
          engine.inform(trapOid, varbinds, options, (error, result) => {
            if (error) this.engineError(request, error);
            else this.succeed(request, convert(result));
          });
        }
        return;
      }
      case 'bulkwalk': {
        if (this.Version === 1) return this.fail(request, 'Cannot bulkwalk() a SNMPv1 session', SNMPERR_GENERR);
        const [nonRepeaters, maxRepetitions, vars] = bulkArgs(args);
        return this.runWalk(request, oidsOf(vars), Math.min(nonRepeaters, Number.MAX_SAFE_INTEGER), Math.max(1, maxRepetitions));
      }
    }
  }

  /**
   * Walks each requested OID to the end of its subtree, one PDU at a time: getnext when
   * maxRepetitions is 0, getbulk otherwise (the first nonRepeaters OIDs fetched once).
   * A column ends on leaving its subtree, on an exception, or when the agent goes backwards.
   */
  private runWalk(request: Request, bases: string[], nonRepeaters: number, maxRepetitions: number): void {
    const results: VarList[] = bases.map(() => []);
    const fixed = Math.min(nonRepeaters, bases.length);
    // `below`: the prefix a column's OIDs start with (no string built per varbind)
    const columns = bases.map((base, i) => ({ i, base, below: base === '' ? '' : `${base}.`, last: wireOid(base), done: false }));
    const walking = columns.slice(fixed);
    const index = this.index;
    const format = this.format;
    let first = true;

    const collect = (column: (typeof columns)[number], vb: NetSnmpVarbind): boolean => {
      if (column.done) return false;
      const converted = fromEngineVarbind(vb, index, format);
      if (isException(converted) || !vb.oid.startsWith(column.below) || compareOids(vb.oid, column.last) <= 0) {
        column.done = true;
        return false;
      }
      column.last = vb.oid;
      results[column.i]!.push(converted);
      request.feed?.([converted]);
      return true;
    };

    const finish = (): void => this.succeed(request, results);

    const step = (): void => {
      if (request.settled) return;
      const open = walking.filter((c) => !c.done);
      const nonRep = first ? columns.slice(0, fixed) : [];
      if (open.length === 0 && nonRep.length === 0) return finish();
      const oids = [...nonRep.map((c) => wireOid(c.base)), ...open.map((c) => c.last)];
      first = false;
      if (maxRepetitions === 0) {
        this.engine.getNext(oids, (error, varbinds) => {
          if (error) {
            // SNMPv1 signals the end of the MIB with noSuchName: the walk is complete
            if ((error as { status?: number }).status === netSnmp.ErrorStatus.NoSuchName) {
              for (const c of open) c.done = true;
              return step();
            }
            return this.engineError(request, error, oids);
          }
          varbinds.forEach((vb, k) => collect(open[k]!, vb));
          step();
        });
        return;
      }
      this.engine.getBulk(oids, nonRep.length, maxRepetitions, (error, grouped) => {
        if (error) return this.engineError(request, error, oids);
        nonRep.forEach((c, k) => {
          const vb = grouped[k] as NetSnmpVarbind | undefined;
          if (vb !== undefined) {
            const converted = fromEngineVarbind(vb, index, format);
            results[c.i]!.push(converted);
            request.feed?.([converted]);
          }
          c.done = true;
        });
        // An agent may answer with fewer rows than asked (RFC 3416 4.2.3), even none for a
        // column: that column is asked again. An answer that moves no column ends the walk.
        let progress = false;
        open.forEach((c, k) => {
          const rows = grouped[nonRep.length + k];
          const list = Array.isArray(rows) ? rows : rows === undefined ? [] : [rows];
          for (const vb of list) {
            if (c.done) break;
            collect(c, vb);
            progress = true;
          }
        });
        if (!progress) for (const c of open) c.done = true;
        step();
      });
    };
    step();
  }

  /**
   * v1 get with RetryNoSuch: each noSuchName answer drops the variable it names and the rest are
   * asked again (as Net-SNMP's snmp_fix_pdu); dropped variables come back with an undefined value.
   */
  private getRepairing(request: Request, oids: string[]): void {
    const found = new Map<number, NetSnmpVarbind>();
    let remaining = oids.map((oid, i) => ({ oid, i }));
    const ask = (): void => {
      if (request.settled) return;
      if (remaining.length === 0) return finish();
      const sent = remaining.map((r) => r.oid);
      this.engine.get(sent, (error, varbinds) => {
        if (error) {
          const index = errorIndex(error, sent);
          if (error.status === netSnmp.ErrorStatus.NoSuchName && index > 0) {
            remaining = remaining.filter((_, k) => k !== index - 1);
            return ask();
          }
          return this.engineError(request, error, sent);
        }
        varbinds.forEach((vb, k) => found.set(remaining[k]!.i, vb));
        finish();
      });
    };
    const finish = (): void => {
      const list: VarList = oids.map((oid, i) => {
        const vb = found.get(i);
        if (vb !== undefined) return fromEngineVarbind(vb, this.index, this.format);
        const [tag, iid] = this.index.split(oid);
        return [tag, iid, undefined];
      });
      this.succeed(request, list);
    };
    ask();
  }

  private engineError(request: Request, error: Error & { status?: number }, oids: string[] = []): void {
    if ((error as Error) instanceof netSnmp.RequestTimedOutError || error.name === 'RequestTimedOutError') return this.fail(request, 'Timeout', SNMPERR_TIMEOUT);
    const status = typeof error.status === 'number' ? error.status : SNMPERR_GENERR;
    this.fail(request, error.message, status, errorIndex(error, oids));
  }

  /** Who the component talks to, for its log lines. */
  private peer(): LogContext {
    return { peer: { address: this.DestHost, port: this.RemotePort } };
  }

  private setError(message: string, num: number, ind: number): void {
    this.ErrorStr = message;
    this.ErrorNum = num;
    this.ErrorInd = ind;
  }

  private succeed(request: Request, result: VarList | VarList[]): void {
    this.settle(request, result, '', 0, 0);
  }

  private fail(request: Request, message: string, num: number, ind = 0): void {
    this.settle(request, undefined, message, num, ind);
  }

  private settle(request: Request, result: SNMPResult, message: string, num: number, ind: number): void {
    if (request.settled) return;
    request.settled = true;
    this.active.delete(request);
    this.setError(message, num, ind);
    const SecEngineId = request.engineId ?? (this.Version === 3 ? (this.engine.msgSecurityParameters?.msgAuthoritativeEngineID?.toString('hex') ?? '') : '');
    const view: SNMPSessionView = { ErrorStr: message, ErrorNum: num, ErrorInd: ind, DestHost: this.DestHost, SecEngineId, component: this };
    const info: SNMPRequestInfo = [this.Alias, this.DestHost, view, request.command, ...request.args];
    const response: SNMPResponse = [result];
    const { callback, sender } = request;
    if (typeof callback === 'function') {
      try {
        callback(info, response);
      } catch (error) {
        this.logger.log('error', `a ${request.command} callback threw: ${String(error)}`, { ...this.peer(), error });
      }
    } else if (sender !== undefined) {
      this.kernel.post(sender, callback, info, response);
    }
    if (sender !== undefined) this.kernel.refcount_decrement(sender.ID(), REFCOUNT_TAG);
    if (!this.closed) {
      this.pump();
      this.maybeClose();
    }
  }

  private maybeClose(): void {
    if (this.active.size === 0 && this.queue.length === 0) {
      if (this.finishing) this.close('Session finished');
      else this.release();
    }
  }

  /**
   * Closes the socket. Requests still pending get their callback with `message` as ErrorStr:
   * net-snmp itself would drop a request made in the same tick as close() without a word.
   */
  private close(message: string): void {
    if (this.closed) return;
    this.closed = true;
    this.finishing = true;
    for (const request of [...this.active, ...this.queue.splice(0)]) this.fail(request, message, SNMPERR_GENERR);
    this.release();
    try {
      this.engine.close();
    } catch {
      // already closed
    }
  }
}

/**
 * A set's variables as Perl SNMP takes them: a VarList or a Varbind carrying their values, or a
 * tag (`'sysContact.0'`) or a Varbind without value (`['sysContact', 0]`) followed by the value
 * (and optionally its type), as the seed posts them.
 */
function setList(args: unknown[]): VarList {
  const [vars, value, type] = args;
  if (typeof vars === 'string') return [type === undefined ? [vars, undefined, (value ?? null) as SnmpValue] : [vars, undefined, (value ?? null) as SnmpValue, String(type)]];
  const list = varList(vars as Vars);
  if (args.length < 2 || value === undefined) return list;
  if (list.length !== 1) throw new TypeError('set: a value after the variables needs exactly one Varbind');
  const [tag, iid, , ownType] = list[0]!;
  const givenType = type === undefined ? ownType : String(type);
  return [givenType === undefined ? [tag, iid, value as SnmpValue] : [tag, iid, value as SnmpValue, givenType]];
}

/**
 * The 1-based index of the variable an agent's error names (net-snmp reports the OID in the
 * message, `NoSuchName: 1.3.6…`, not the error-index itself), or 0 when it names none.
 */
function errorIndex(error: Error, oids: string[]): number {
  const at = error.message.lastIndexOf(': ');
  if (at < 0) return 0;
  const oid = error.message.slice(at + 2).trim().replace(/^\./, '');
  return oids.indexOf(oid) + 1;
}

function bulkArgs(args: unknown[]): [nonRepeaters: number, maxRepetitions: number, vars: unknown] {
  const nonRepeaters = Number(args[0] ?? 0);
  const maxRepetitions = Number(args[1] ?? 10);
  if (!Number.isInteger(nonRepeaters) || nonRepeaters < 0) throw new TypeError(`bad non-repeaters ${String(args[0])}`);
  if (!Number.isInteger(maxRepetitions) || maxRepetitions < 0) throw new TypeError(`bad max-repetitions ${String(args[1])}`);
  return [nonRepeaters, maxRepetitions, args[2]];
}

/** net-snmp groups a getbulk answer per column; the PDU (and Perl) order is row by row. */
function interleave(grouped: (NetSnmpVarbind | NetSnmpVarbind[])[], nonRepeaters: number): NetSnmpVarbind[] {
  const out: NetSnmpVarbind[] = [];
  for (let i = 0; i < nonRepeaters && i < grouped.length; i++) {
    const vb = grouped[i];
    if (vb !== undefined && !Array.isArray(vb)) out.push(vb);
  }
  const columns = grouped.slice(nonRepeaters).map((c) => (Array.isArray(c) ? c : [c]));
  const rows = Math.max(0, ...columns.map((c) => c.length));
  for (let r = 0; r < rows; r++) for (const column of columns) if (column[r] !== undefined) out.push(column[r]!);
  return out;
}

/**
 * Compares numeric OIDs sub-identifier by sub-identifier. Scans the strings in place (no split:
 * a walk compares every varbind it receives, and the arrays showed in profiles).
 */
export function compareOids(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    let x = 0;
    let y = 0;
    let c: number;
    while (i < a.length && (c = a.charCodeAt(i)) !== 46) {
      x = x * 10 + (c - 48);
      i++;
    }
    while (j < b.length && (c = b.charCodeAt(j)) !== 46) {
      y = y * 10 + (c - 48);
      j++;
    }
    if (x !== y) return x - y;
    i++;
    j++;
  }
  return (i < a.length ? 1 : 0) - (j < b.length ? 1 : 0);
}
