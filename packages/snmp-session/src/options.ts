import { createCipheriv, createHmac } from 'node:crypto';
import { netSnmp } from './engine.js';

/** The Perl SNMP::Session parameters the component takes (Perl's spelling), plus the port's own. */
export interface SNMPSessionOptions {
  /** The component's alias (default 'snmp'); a second component with a live alias is an error. */
  Alias?: string;
  /** The agent: a host name or address, optionally `host:port` (default 'localhost'). */
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
  /** Not supported by the net-snmp engine (it discovers it): refused unless empty. */
  SecEngineId?: string;

  /** New: how many requests may be in flight at once; the rest wait in order (default 64). */
  maxOutstanding?: number;
  /** New: 'udp4' (default) or 'udp6'. */
  transport?: 'udp4' | 'udp6';
  /** New: the kernel the component lives in (default: the current one, else poe_kernel). */
  kernel?: import('@poets/kernel').Kernel;
}

export class SNMPSessionOptionError extends Error {
  constructor(message: string) {
    super(`SNMPSession.create: ${message}`);
    this.name = 'SNMPSessionOptionError';
  }
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
  let host = options.DestHost ?? 'localhost';
  let port = options.RemotePort ?? 161;
  // 'host:port' (IPv4 or a name; IPv6 as '[addr]:port')
  const bracketed = /^\[(.+)\]:(\d+)$/.exec(host);
  const plain = /^([^:]+):(\d+)$/.exec(host);
  if (bracketed) [host, port] = [bracketed[1]!, Number(bracketed[2])];
  else if (plain) [host, port] = [plain[1]!, Number(plain[2])];
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SNMPSessionOptionError(`bad RemotePort ${port}`);
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
    transport: options.transport ?? (host.includes(':') ? 'udp6' : 'udp4'),
    version: version === 1 ? netSnmp.Version1 : version === 2 ? netSnmp.Version2c : netSnmp.Version3,
    // Perl SNMP does not refuse a getnext answer that goes backwards; walks check it themselves
    backwardsGetNexts: true,
  };
  const setup: EngineSetup = { host, port, version, community: options.Community ?? 'public', engineOptions };
  if (version !== 3) return setup;

  if (options.ContextEngineId) throw new SNMPSessionOptionError('ContextEngineId is not supported by the net-snmp engine (it uses the agent\'s engine ID)');
  if (options.SecEngineId) throw new SNMPSessionOptionError('SecEngineId is not supported by the net-snmp engine (it discovers the agent\'s engine ID)');
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
