import { ARG0, KERNEL, SENDER, SESSION, Session, Subscribers, componentLogger, poe_kernel, type EventArgs, type Kernel, type Logger, type Watched } from '@poets/kernel';
import { Observable, Subject } from 'rxjs';
import { netSnmp, type NetSnmpReceiver, type NetSnmpVarbind } from './engine.js';
import { RateLimitedLog } from './log.js';
import { mibIndex } from './mib.js';
import { SNMPSessionOptionError } from './errors.js';
import { checkParameterNames, engineSetup } from './options.js';
import { fromEngineVarbind, type VarList } from './varbind.js';

/** An SNMPv3 user the receiver accepts: SNMPSession's names (SecName, SecLevel, AuthProto...). */
export interface SNMPTrapUser {
  SecName: string;
  SecLevel?: string;
  AuthProto?: string;
  AuthPass?: string;
  PrivProto?: string;
  PrivPass?: string;
}

export interface SNMPTrapReceiverOptions {
  /** The component's alias (default 'snmptrapd'). */
  Alias?: string;
  /** Address to listen on (default '127.0.0.1'). */
  Address?: string;
  /** UDP port (default 162; 0 picks a free one, read it from `port()` after `ready`). */
  Port?: number;
  /** Communities accepted from v1/v2c senders (default ['public']). */
  Community?: string | string[];
  /** SNMPv3 users accepted. */
  Users?: SNMPTrapUser[];
  /** Accept any community or user (net-snmp's disableAuthorization). */
  disableAuthorization?: boolean;
  transport?: 'udp4' | 'udp6';
  kernel?: Kernel;
  /** Where the receiver logs (default: its kernel's logger). */
  logger?: Logger;
}

/** One received notification. */
export interface SNMPTrap {
  /** 1, 2 (v2c) or 3. */
  version: 1 | 2 | 3;
  /** 'trap' (v1 Trap-PDU), 'trapv2' (SNMPv2-Trap-PDU) or 'inform' (already acknowledged). */
  type: 'trap' | 'trapv2' | 'inform';
  /** The community (v1/v2c) or the SNMPv3 user name. */
  community?: string;
  user?: string;
  /** v2c/v3: snmpTrapOID.0's value (numeric, leading dot). v1: enterprise.0.specific or snmpTraps.(generic+1) per RFC 3584. */
  trapOid: string;
  /** sysUpTime.0 (v2c/v3) or the v1 time-stamp, in hundredths. */
  upTime?: number;
  /** v1 only. */
  enterprise?: string;
  agentAddr?: string;
  genericTrap?: number;
  specificTrap?: number;
  /** Every varbind of the PDU, as SNMPSession returns them (v2c/v3 include sysUpTime.0 and snmpTrapOID.0). */
  varbinds: VarList;
  /** Who sent it. */
  from: { address: string; port: number };
}

type Ev = EventArgs<Record<string, never>>;
const RECEIVER_PARAMETERS = ['Alias', 'Address', 'Port', 'Community', 'Users', 'disableAuthorization', 'transport', 'kernel', 'logger'];
const REFCOUNT_TAG = 'snmp-trap-register';
const SNMP_TRAP_OID = '1.3.6.1.6.3.1.1.4.1.0';
const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';

interface RawPdu {
  type: number;
  varbinds: NetSnmpVarbind[];
  community?: string;
  user?: string;
  enterprise?: string;
  agentAddr?: string;
  generic?: number;
  specific?: number;
  upTime?: number;
}

/**
 * A trap receiver (snmptrapd in a session): listens on UDP, answers informs, and posts each trap
 * to the sessions registered with it (`register` with an event name, POE-style; the registering
 * session is held by a refcount until it unregisters or the receiver stops). Also `traps$`.
 */
export class SNMPTrapReceiver {
  readonly Alias: string;
  private readonly kernel: Kernel;
  private readonly logger: Logger;
  private readonly session: Session;
  private readonly receiver: NetSnmpReceiver;
  private readonly registered: Subscribers;
  private readonly subject = new Subject<SNMPTrap>();
  private readonly handle: Watched;
  private stopped = false;
  /** Every trap received. Completes at shutdown. */
  readonly traps$: Observable<SNMPTrap> = this.subject.asObservable();
  /** Errors net-snmp reported for bad messages (wrong community, failed authentication...). */
  readonly errors$ = new Subject<Error>();

  static create(options: SNMPTrapReceiverOptions = {}): SNMPTrapReceiver {
    return new SNMPTrapReceiver(options);
  }

  private constructor(options: SNMPTrapReceiverOptions) {
    checkParameterNames(options, RECEIVER_PARAMETERS);
    const kernel = options.kernel ?? poe_kernel;
    this.kernel = kernel;
    this.logger = componentLogger(options.logger ?? kernel.logger, 'SNMP::TrapReceiver');
    const refusals = new RateLimitedLog(this.logger);
    this.registered = new Subscribers(kernel, REFCOUNT_TAG);
    this.Alias = options.Alias ?? 'snmptrapd';
    if (kernel.alias_resolve(this.Alias) !== undefined) throw new SNMPSessionOptionError(`alias '${this.Alias}' is already in use`);
    const port = options.Port ?? 162;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SNMPSessionOptionError(`bad Port ${port}`);
    const communities = options.Community === undefined ? ['public'] : Array.isArray(options.Community) ? options.Community : [options.Community];
    // each user checked and translated as SNMPSession does its own
    const users = (options.Users ?? []).map((u) => engineSetup({ Version: 3, DestHost: '127.0.0.1', ...u }).user!);
    const index = mibIndex();

    this.receiver = netSnmp.createReceiver(
      {
        port,
        address: options.Address ?? '127.0.0.1',
        transport: options.transport ?? 'udp4',
        disableAuthorization: options.disableAuthorization ?? false,
        includeAuthentication: true,
      },
      (error, notification) => {
        if (error) {
          // a sender can provoke these at will (wrong community, bad digest): rate-limited per kind
          refusals.log('warning', error.name, `refused a message: ${error.message}`);
          return this.errors$.next(error);
        }
        const { pdu, rinfo } = notification as { pdu: RawPdu; rinfo: { address: string; port: number } };
        this.deliver(toTrap(pdu, rinfo, index));
      },
    );
    const authorizer = this.receiver.getAuthorizer();
    for (const c of communities) authorizer.addCommunity(c);
    for (const u of users) authorizer.addUser(u);
    this.handle = { destroy: () => this.stop() };

    this.session = Session.create({
      kernel,
      inline_states: {
        _start: (_: Ev) => {
          _[KERNEL].alias_set(this.Alias);
          // the socket keeps the component alive until shutdown
          _[KERNEL].watchHandle(_[SESSION] as Session, this.handle);
        },
        register: (_: Ev) => {
          const refused = this.registered.register(_[SENDER], _.slice(ARG0));
          if (refused !== undefined) this.logger.log('warning', refused);
        },
        unregister: (_: Ev) => this.registered.unregister(_[SENDER]),
        snmptrap_remove_alias: (_: Ev) => {
          _[KERNEL].alias_remove(this.Alias);
        },
        shutdown: () => this.stop(),
        _stop: () => this.stop(),
      },
    });
  }

  /** The component's session ID (post `register`, `unregister`, `shutdown` to it or its alias). */
  session_id(): number {
    return this.session.ID();
  }

  /** The UDP port listened on (useful with Port 0), once bound. */
  port(): number | undefined {
    const socket = (this.receiver as unknown as { listener?: { sockets?: Record<string, { address(): { port: number } }> } }).listener?.sockets;
    for (const s of Object.values(socket ?? {})) {
      try {
        return s.address().port;
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /** Stops listening, unregisters every session and completes `traps$`. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.registered.clear();
    try {
      this.receiver.close();
    } catch {
      // already closed
    }
    if (this.kernel.alias_resolve(this.Alias) === this.session) {
      if (this.kernel.get_active_session() === this.session) this.kernel.alias_remove(this.Alias);
      else this.kernel.call(this.session, 'snmptrap_remove_alias');
    }
    this.kernel.unwatchHandle(this.session, this.handle);
    this.subject.complete();
    this.errors$.complete();
  }

  private deliver(trap: SNMPTrap): void {
    if (this.stopped) return;
    this.subject.next(trap);
    this.registered.post(trap);
  }
}

function toTrap(pdu: RawPdu, rinfo: { address: string; port: number }, index: ReturnType<typeof mibIndex>): SNMPTrap {
  const PduType = netSnmp.PduType;
  const varbinds = (pdu.varbinds ?? []).map((vb) => fromEngineVarbind(vb, index));
  const from = { address: rinfo.address, port: rinfo.port };
  const auth = { ...(pdu.community !== undefined ? { community: pdu.community } : {}), ...(pdu.user !== undefined ? { user: pdu.user } : {}) };
  if (pdu.type === PduType.Trap) {
    const generic = pdu.generic ?? 0;
    const specific = pdu.specific ?? 0;
    const enterprise = `.${String(pdu.enterprise ?? '').replace(/^\./, '')}`;
    const trapOid = generic === 6 ? `${enterprise}.0.${specific}` : `.1.3.6.1.6.3.1.1.5.${generic + 1}`;
    return {
      version: 1,
      type: 'trap',
      ...auth,
      trapOid,
      ...(pdu.upTime !== undefined ? { upTime: pdu.upTime } : {}),
      enterprise,
      ...(pdu.agentAddr !== undefined ? { agentAddr: pdu.agentAddr } : {}),
      genericTrap: generic,
      specificTrap: specific,
      varbinds,
      from,
    };
  }
  const oidVb = pdu.varbinds.find((vb) => vb.oid === SNMP_TRAP_OID);
  const upVb = pdu.varbinds.find((vb) => vb.oid === SYS_UPTIME);
  return {
    version: pdu.user !== undefined ? 3 : 2,
    type: pdu.type === PduType.InformRequest ? 'inform' : 'trapv2',
    ...auth,
    trapOid: oidVb ? `.${String(oidVb.value).replace(/^\./, '')}` : '',
    ...(upVb ? { upTime: Number(upVb.value) } : {}),
    varbinds,
    from,
  };
}
