import { createRequire } from 'node:module';

/**
 * The parts of the npm `net-snmp` engine this package uses, typed here (the package ships no
 * types). Loaded through `createRequire` so the typings stay local to this file.
 */
export interface NetSnmpVarbind {
  oid: string;
  type: number;
  value: unknown;
}

export type NetSnmpCallback<T> = (error: (Error & { status?: number; code?: number }) | null, result: T) => void;

export interface NetSnmpSession {
  get(oids: string[], callback: NetSnmpCallback<NetSnmpVarbind[]>): NetSnmpSession;
  getNext(oids: string[], callback: NetSnmpCallback<NetSnmpVarbind[]>): NetSnmpSession;
  getBulk(
    oids: string[],
    nonRepeaters: number,
    maxRepetitions: number,
    callback: NetSnmpCallback<(NetSnmpVarbind | NetSnmpVarbind[])[]>,
  ): NetSnmpSession;
  set(varbinds: NetSnmpVarbind[], callback: NetSnmpCallback<NetSnmpVarbind[]>): NetSnmpSession;
  trap(typeOrOid: number | string, varbinds: NetSnmpVarbind[], options: Record<string, unknown>, callback: (error: Error | null) => void): NetSnmpSession;
  inform(typeOrOid: number | string, varbinds: NetSnmpVarbind[], options: Record<string, unknown>, callback: NetSnmpCallback<NetSnmpVarbind[]>): NetSnmpSession;
  close(): NetSnmpSession;
  on(event: 'error' | 'close', listener: (error?: Error) => void): NetSnmpSession;
  dgram: { ref(): void; unref(): void; address(): { address: string; port: number } };
  /** SNMPv3: the local engine (its ID goes into the traps it sends). */
  engine?: { engineID: Buffer };
  /** Sends one request (net-snmp internal; see stampTrapEngineTime). */
  send(req: { message?: { pdu?: { type?: number }; msgSecurityParameters?: Record<string, unknown> } }, noWait?: boolean): NetSnmpSession;
  /** SNMPv3: the authoritative engine learned by discovery. */
  msgSecurityParameters?: { msgAuthoritativeEngineID?: Buffer };
}

export interface NetSnmpModuleStore {
  getModules(includeBase: boolean): Record<string, Record<string, { OID?: string; ObjectName?: string; SYNTAX?: unknown; MACRO?: string } | unknown>>;
  getModuleNames(includeBase: boolean): string[];
  loadFromFile(fileName: string): void;
}

export interface NetSnmpAgent {
  getMib(): {
    registerProvider(definition: Record<string, unknown>): void;
    setScalarValue(name: string, value: unknown): void;
    addTableRow(name: string, row: unknown[]): void;
  };
  getAuthorizer(): { addCommunity(c: string): void; addUser(u: Record<string, unknown>): void };
  close(callback?: () => void): void;
}

export interface NetSnmpReceiver {
  getAuthorizer(): { addCommunity(c: string): void; addUser(u: Record<string, unknown>): void };
  close(callback?: () => void): void;
}

export interface NetSnmp {
  createSession(target: string, community: string, options: Record<string, unknown>): NetSnmpSession;
  createV3Session(target: string, user: Record<string, unknown>, options: Record<string, unknown>): NetSnmpSession;
  createModuleStore(options?: Record<string, unknown>): NetSnmpModuleStore;
  createAgent(options: Record<string, unknown>, callback: (error: Error | null, data: unknown) => void, mib?: unknown): NetSnmpAgent;
  createReceiver(options: Record<string, unknown>, callback: (error: Error | null, notification: unknown) => void): NetSnmpReceiver;
  Version1: number;
  Version2c: number;
  Version3: number;
  ObjectType: Record<string, number> & Record<number, string>;
  ErrorStatus: Record<string, number> & Record<number, string>;
  SecurityLevel: Record<string, number>;
  AuthProtocols: Record<string, number>;
  PrivProtocols: Record<string, number>;
  MibProviderType: Record<string, number>;
  PduType: Record<string, number>;
  MaxAccess: Record<string, number>;
  TrapType: Record<string, number>;
  AccessControlModelType: Record<string, number>;
  RequestTimedOutError: new (message: string) => Error;
  RequestFailedError: new (message: string, status?: number) => Error;
}

const require = createRequire(import.meta.url);

/** The `net-snmp` module itself. */
export const netSnmp = require('net-snmp') as NetSnmp;

/** Where net-snmp keeps the MIB files it ships (IF-MIB and IANAifType-MIB are not preloaded). */
export function netSnmpMibDir(): string {
  const main = require.resolve('net-snmp');
  return main.replace(/index\.js$/, 'lib/mibs');
}

/** 2024-01-01T00:00:00Z: the origin of the engine time v3 traps carry. */
const TRAP_TIME_ORIGIN = Date.UTC(2024, 0, 1) / 1000;

/**
 * net-snmp sends every SNMPv3 trap with snmpEngineBoots and snmpEngineTime 0. A receiver keeps
 * its notion of the sender's boots and time (RFC 3414 3.2.7): once any trap from the same engine
 * ID carried a later time (an earlier run, snmptrap -e, or 150 s after the first), snmptrapd
 * drops the rest as outside the time window. Without a persistent store for snmpEngineBoots,
 * the component sends boots 1 and the seconds since 2024-01-01 as its engine time, which never
 * goes backwards across restarts while the clock does not.
 */
export function stampTrapEngineTime(session: NetSnmpSession): void {
  const send = session.send;
  session.send = function stamped(this: NetSnmpSession, req, noWait) {
    const params = req.message?.msgSecurityParameters;
    if (noWait === true && params !== undefined && req.message?.pdu?.type === netSnmp.PduType.TrapV2 && params.msgAuthoritativeEngineBoots === 0 && params.msgAuthoritativeEngineTime === 0) {
      params.msgAuthoritativeEngineBoots = 1;
      params.msgAuthoritativeEngineTime = Math.floor(Date.now() / 1000 - TRAP_TIME_ORIGIN);
    }
    return send.call(this, req, noWait);
  };
}
