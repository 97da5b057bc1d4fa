import { createCipheriv, createHmac } from 'node:crypto';
import type { Logger } from '@poets/kernel';
import { netSnmp } from './engine.js';
import { SNMPSessionOptionError } from './errors.js';
import type { ResponseFormat } from './format.js';

/** The Perl SNMP::Session parameters the component takes (Perl's spelling), plus the port's own. */
export interface SNMPSessionOptions {
  /** The component's alias (default 'snmp'); a second component with a live alias is an error. */
  Alias?: string;
  /**
   * The agent (default 'localhost'): a host name or address, `host:port`, `[v6]:port`, or a
   * Net-SNMP transport address `udp:host[:port]`, `udp6:[v6][:port]` (`udpv6:`, `udpipv6:`).
   */
  DestHost?: string;
  /** SNMPv1/v2c community (default 'public'). */
  Community?: string;
  /** 1, 2 / '2c' / 'snmpv2c', 3 / 'snmpv3' (default 1, as Perl SNMP). */
  Version?: number | string;
  /** The agent's UDP port (default 161; a port in DestHost wins). */
  RemotePort?: number;
  /** Microseconds before a retry (default 1,000,000), as Perl SNMP. */
  Timeout?: number;
  /** Retries after the first try (default 5), as Perl SNMP. */
  Retries?: number;
  /** v1 get: on noSuchName, drop the variable in error and ask again; it comes back with an undefined value (default 0). */
  RetryNoSuch?: boolean | number;
  /** The local UDP port to send from (default 0: any). */
  LocalPort?: number;
  /** Tags as the whole name path (`.iso.org.dod.internet.mgmt.mib-2.system.sysDescr`), as `snmpget -Of`. */
  UseLongNames?: boolean | number;
  /** Tags as numeric OIDs (`.1.3.6.1.2.1.1.1` and iid `0`); implies UseLongNames, as in Perl. */
  UseNumeric?: boolean | number;
  /** INTEGER values with an enumeration come back as its label (`up`); labels are accepted in set. */
  UseEnums?: boolean | number;
  /** Values as Net-SNMP's snprint_value prints them with quick printing (`snmpget -Oqv`). */
  UseSprintValue?: boolean | number;
  /** How tags are looked up: 0 and 2 (any loaded module, what this port always does); 1 (regex) is refused. */
  BestGuess?: number;
  /** SNMPv3 user name. */
  SecName?: string;
  /** 'noAuthNoPriv', 'authNoPriv' or 'authPriv' (default 'noAuthNoPriv'). */
  SecLevel?: string;
  /** 'MD5', 'SHA', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512' (default 'MD5', as Perl SNMP). */
  AuthProto?: string;
  AuthPass?: string;
  /** 'DES' (needs OpenSSL's legacy provider), 'AES' / 'AES128', 'AES256' (Blumenthal), 'AES256C' (Reeder). Default 'DES', as Perl SNMP. */
  PrivProto?: string;
  PrivPass?: string;
  /** SNMPv3 context name. */
  Context?: string;
  /** Not supported by the net-snmp engine (it uses the agent's engine ID): refused unless empty. */
  ContextEngineId?: string;
  /**
   * SNMPv3: the engine ID traps are sent with (hex, with or without `0x`, as `snmptrap -e`);
   * default a random one, readable as `SecEngineId` on the component. Requests and informs
   * discover the peer's engine (it is authoritative), as Net-SNMP does without `-e`.
   */
  SecEngineId?: string;

  /** New: how many requests may be in flight at once; the rest wait in order (default 64). */
  maxOutstanding?: number;
  /** New: 'udp4' (default) or 'udp6'. */
  transport?: 'udp4' | 'udp6';
  /** New: the kernel the component lives in (default: the current one, else poe_kernel). */
  kernel?: import('@poets/kernel').Kernel;
  /** New: where the component logs (default: its kernel's logger). */
  logger?: Logger;
}

/** Every parameter SNMPSession.create takes: Perl's names, then the port's own. */
export const SESSION_PARAMETERS: readonly string[] = [
  'Alias', 'DestHost', 'Community', 'Version', 'RemotePort', 'Timeout', 'Retries', 'RetryNoSuch', 'LocalPort',
  'SecName', 'SecLevel', 'SecEngineId', 'ContextEngineId', 'Context', 'AuthProto', 'AuthPass', 'PrivProto', 'PrivPass',
  'UseLongNames', 'UseNumeric', 'UseEnums', 'UseSprintValue', 'BestGuess',
  'maxOutstanding', 'transport', 'kernel', 'logger',
];

/** Perl SNMP::Session parameters the net-snmp engine cannot honour: refused by name. */
const UNSUPPORTED: Record<string, string> = {
  VarFormats: 'fget/fgetnext are not part of this port',
  TypeFormats: 'fget/fgetnext are not part of this port',
  NonIncreasing: 'walks always end a column that goes backwards',
  AuthMasterKey: 'the net-snmp engine derives keys from AuthPass only',
  PrivMasterKey: 'the net-snmp engine derives keys from PrivPass only',
  AuthLocalizedKey: 'the net-snmp engine derives keys from AuthPass only',
  PrivLocalizedKey: 'the net-snmp engine derives keys from PrivPass only',
  EngineBoots: 'the net-snmp engine learns them from the agent',
  EngineTime: 'the net-snmp engine learns them from the agent',
  OurIdentity: 'the net-snmp engine has no (D)TLS transport',
  TheirIdentity: 'the net-snmp engine has no (D)TLS transport',
  TheirHostname: 'the net-snmp engine has no (D)TLS transport',
  TrustCert: 'the net-snmp engine has no (D)TLS transport',
  TimeStamp: 'not supported',
};

/** Throws for a parameter the component does not know, naming the ones it accepts. */
export function checkParameterNames(options: object, accepted: readonly string[] = SESSION_PARAMETERS): void {
  for (const name of Object.keys(options)) {
    if (accepted.includes(name)) continue;
    const why = UNSUPPORTED[name];
    if (why !== undefined) throw new SNMPSessionOptionError(`parameter ${name} is not supported (${why})`);
    throw new SNMPSessionOptionError(`unknown parameter ${name}; accepted: ${accepted.join(', ')}`);
  }
}

/** Perl's flags: numbers or booleans, 0/''/undefined off. */
export function flag(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '' && value !== '0';
}

/** The response format the session's UseLongNames/UseNumeric/UseEnums/UseSprintValue ask for. */
export function responseFormat(options: SNMPSessionOptions): ResponseFormat {
  const UseNumeric = flag(options.UseNumeric);
  return {
    UseNumeric,
    // Perl forces UseLongNames on under UseNumeric
    UseLongNames: UseNumeric || flag(options.UseLongNames),
    UseEnums: flag(options.UseEnums),
    UseSprintValue: flag(options.UseSprintValue),
  };
}

export interface Destination {
  host: string;
  port: number | undefined;
  transport: 'udp4' | 'udp6' | undefined;
}

const UDP4 = /^udp:/i;
const UDP6 = /^(udp6|udpv6|udpipv6):/i;
const OTHER_TRANSPORT = /^(tcp|tcp6|tcpv6|tcpipv6|tls|tlstcp|dtls|dtlsudp|ssh|unix|ipx|aal5pvc|callback|alias):/i;

/**
 * A DestHost as Net-SNMP reads it: `[transport:]host[:port]`, IPv6 in brackets (or bare, without
 * a port). UDP only: the other transports are refused by name.
 */
export function parseDestHost(text: string): Destination {
  let rest = text.trim();
  let transport: Destination['transport'];
  const other = OTHER_TRANSPORT.exec(rest);
  if (other) throw new SNMPSessionOptionError(`DestHost ${text}: transport '${other[1]}' is not supported (the net-snmp engine speaks UDP only: udp:, udp6:)`);
  if (UDP6.test(rest)) {
    transport = 'udp6';
    rest = rest.slice(rest.indexOf(':') + 1);
  } else if (UDP4.test(rest)) {
    transport = 'udp4';
    rest = rest.slice(4);
  }
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] === undefined ? undefined : Number(bracketed[2]), transport: transport ?? 'udp6' };
  if ((rest.match(/:/g) ?? []).length >= 2) return { host: rest, port: undefined, transport: transport ?? 'udp6' };
  const plain = /^([^:]*)(?::(\d+))?$/.exec(rest);
  if (!plain || plain[1] === '') throw new SNMPSessionOptionError(`bad DestHost ${text}`);
  return { host: plain[1]!, port: plain[2] === undefined ? undefined : Number(plain[2]), transport };
}


export interface EngineSetup {
  host: string;
  port: number;
  version: 1 | 2 | 3;
  community: string;
  /** net-snmp's createSession / createV3Session options. */
  engineOptions: Record<string, unknown>;
  /** net-snmp's v3 user. */
  user?: Record<string, unknown>;
}

export function parseVersion(version: number | string | undefined): 1 | 2 | 3 {
  const v = String(version ?? 1).toLowerCase().replace(/^snmpv/, '');
  if (v === '1') return 1;
  if (v === '2' || v === '2c') return 2;
  if (v === '3') return 3;
  throw new SNMPSessionOptionError(`unknown Version ${String(version)} (1, 2, 'snmpv2c', 3 or 'snmpv3')`);
}

/** Can this process run OpenSSL's `algorithm` (DES-CBC needs the legacy provider from Node 17 on)? */
export function cipherAvailable(algorithm: string, keyLength: number, ivLength: number): boolean {
  try {
    createCipheriv(algorithm, Buffer.alloc(keyLength), Buffer.alloc(ivLength));
    return true;
  } catch {
    return false;
  }
}

export function hmacAvailable(algorithm: string): boolean {
  try {
    createHmac(algorithm, 'k').update('x').digest();
    return true;
  } catch {
    return false;
  }
}

const AUTH: Record<string, { key: string; hmac: string }> = {
  MD5: { key: 'md5', hmac: 'md5' },
  SHA: { key: 'sha', hmac: 'sha1' },
  SHA1: { key: 'sha', hmac: 'sha1' },
  'SHA-1': { key: 'sha', hmac: 'sha1' },
  'SHA-224': { key: 'sha224', hmac: 'sha224' },
  SHA224: { key: 'sha224', hmac: 'sha224' },
  'SHA-256': { key: 'sha256', hmac: 'sha256' },
  SHA256: { key: 'sha256', hmac: 'sha256' },
  'SHA-384': { key: 'sha384', hmac: 'sha384' },
  SHA384: { key: 'sha384', hmac: 'sha384' },
  'SHA-512': { key: 'sha512', hmac: 'sha512' },
  SHA512: { key: 'sha512', hmac: 'sha512' },
};

const PRIV: Record<string, { key: string; cipher: string; keyLength: number; ivLength: number }> = {
  DES: { key: 'des', cipher: 'des-cbc', keyLength: 8, ivLength: 8 },
  AES: { key: 'aes', cipher: 'aes-128-cfb', keyLength: 16, ivLength: 16 },
  AES128: { key: 'aes', cipher: 'aes-128-cfb', keyLength: 16, ivLength: 16 },
  AES256: { key: 'aes256b', cipher: 'aes-256-cfb', keyLength: 32, ivLength: 16 },
  AES256C: { key: 'aes256r', cipher: 'aes-256-cfb', keyLength: 32, ivLength: 16 },
};

/** Checks the options and turns them into net-snmp's; throws SNMPSessionOptionError. */
export function engineSetup(options: SNMPSessionOptions): EngineSetup {
  checkParameterNames(options);
  const destination = parseDestHost(options.DestHost ?? 'localhost');
  const host = destination.host;
  // a port in DestHost wins over RemotePort, as in Perl
  const port = destination.port ?? options.RemotePort ?? 161;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SNMPSessionOptionError(`bad RemotePort ${port}`);
  const localPort = options.LocalPort ?? 0;
  if (!Number.isInteger(localPort) || localPort < 0 || localPort > 65535) throw new SNMPSessionOptionError(`bad LocalPort ${String(localPort)}`);
  if (options.BestGuess !== undefined && options.BestGuess !== 0 && options.BestGuess !== 2) {
    throw new SNMPSessionOptionError(`BestGuess ${String(options.BestGuess)} is not supported (0 or 2: tags are looked up in every loaded module)`);
  }
  if (options.transport !== undefined && destination.transport !== undefined && options.transport !== destination.transport) {
    throw new SNMPSessionOptionError(`transport ${options.transport} contradicts DestHost ${options.DestHost}`);
  }
  const timeout = options.Timeout ?? 1_000_000;
  if (!(timeout > 0)) throw new SNMPSessionOptionError(`Timeout is in microseconds and must be positive, not ${timeout}`);
  const retries = options.Retries ?? 5;
  if (!Number.isInteger(retries) || retries < 0) throw new SNMPSessionOptionError(`bad Retries ${retries}`);
  const version = parseVersion(options.Version);
  const engineOptions: Record<string, unknown> = {
    port,
    // traps and informs go to RemotePort too (net-snmp's default is 162)
    trapPort: port,
    retries,
    timeout: Math.max(1, Math.round(timeout / 1000)),
    transport: options.transport ?? destination.transport ?? (host.includes(':') ? 'udp6' : 'udp4'),
    version: version === 1 ? netSnmp.Version1 : version === 2 ? netSnmp.Version2c : netSnmp.Version3,
    // Perl SNMP does not refuse a getnext answer that goes backwards; walks check it themselves
    backwardsGetNexts: true,
  };
  if (localPort !== 0) engineOptions.sourcePort = localPort;
  const setup: EngineSetup = { host, port, version, community: options.Community ?? 'public', engineOptions };
  if (version !== 3) return setup;

  if (options.ContextEngineId) throw new SNMPSessionOptionError('ContextEngineId is not supported by the net-snmp engine (it uses the agent\'s engine ID)');
  if (options.SecEngineId) {
    const hex = options.SecEngineId.replace(/^0x/i, '');
    // RFC 3411 SnmpEngineID: 5 to 32 octets
    if (!/^([0-9a-f]{2}){5,32}$/i.test(hex)) throw new SNMPSessionOptionError(`bad SecEngineId ${options.SecEngineId} (5 to 32 octets in hex, as snmptrap -e)`);
    engineOptions.engineID = hex.toLowerCase();
  }
  if (!options.SecName) throw new SNMPSessionOptionError('SNMPv3 needs SecName');
  const levelName = options.SecLevel ?? 'noAuthNoPriv';
  const level = Object.entries(netSnmp.SecurityLevel).find(([name]) => name.toLowerCase() === levelName.toLowerCase())?.[1];
  if (level === undefined) throw new SNMPSessionOptionError(`unknown SecLevel ${levelName} (noAuthNoPriv, authNoPriv, authPriv)`);
  const user: Record<string, unknown> = { name: options.SecName, level };
  if (level !== netSnmp.SecurityLevel.noAuthNoPriv) {
    const authName = (options.AuthProto ?? 'MD5').toUpperCase();
    const auth = AUTH[authName];
    if (auth === undefined) throw new SNMPSessionOptionError(`unknown AuthProto ${authName} (MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512)`);
    if (!hmacAvailable(auth.hmac)) throw new SNMPSessionOptionError(`AuthProto ${authName} needs HMAC-${auth.hmac}, which this Node's OpenSSL does not provide`);
    if (!options.AuthPass || options.AuthPass.length < 8) throw new SNMPSessionOptionError('AuthPass must be at least 8 characters (RFC 3414)');
    user.authProtocol = netSnmp.AuthProtocols[auth.key];
    user.authKey = options.AuthPass;
  }
  if (level === netSnmp.SecurityLevel.authPriv) {
    const privName = (options.PrivProto ?? 'DES').toUpperCase();
    const priv = PRIV[privName];
    if (priv === undefined) throw new SNMPSessionOptionError(`unknown PrivProto ${privName} (DES, AES, AES128, AES256, AES256C)`);
    if (!cipherAvailable(priv.cipher, priv.keyLength, priv.ivLength)) {
      throw new SNMPSessionOptionError(
        `PrivProto ${privName} needs ${priv.cipher}, which OpenSSL 3 keeps in its legacy provider and Node does not load; use AES, or run node with --openssl-legacy-provider`,
      );
    }
    if (!options.PrivPass || options.PrivPass.length < 8) throw new SNMPSessionOptionError('PrivPass must be at least 8 characters (RFC 3414)');
    user.privProtocol = netSnmp.PrivProtocols[priv.key];
    user.privKey = options.PrivPass;
  }
  if (options.Context) engineOptions.context = options.Context;
  setup.user = user;
  return setup;
}
