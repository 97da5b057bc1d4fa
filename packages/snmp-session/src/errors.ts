// Every error @poets/snmp-session defines, and the library error numbers Perl SNMP reports.

/** net-snmp's SNMPERR_GENERR, Perl SNMP's ErrorNum for a library error without a better number. */
export const SNMPERR_GENERR = -1;
/** net-snmp's SNMPERR_TIMEOUT, Perl SNMP's ErrorNum for a request that got no answer. */
export const SNMPERR_TIMEOUT = -24;

/** A bad option to SNMPSession.create or SNMPTrapReceiver.create: thrown at once. */
export class SNMPSessionOptionError extends Error {
  constructor(message: string) {
    super(`SNMPSession.create: ${message}`);
    this.name = 'SNMPSessionOptionError';
  }
}

/** A failed request, as the Promise helpers reject: Perl SNMP's ErrorStr, ErrorNum and ErrorInd. */
export class SNMPError extends Error {
  constructor(
    message: string,
    readonly ErrorNum: number,
    readonly ErrorInd = 0,
  ) {
    super(message);
    this.name = 'SNMPError';
  }
}

/** A name the MIB index does not know (or a module that is not loaded). */
export class UnknownOidError extends Error {
  constructor(
    readonly tag: string,
    detail?: string,
  ) {
    super(detail === undefined ? `Unknown OID: ${tag}` : `Unknown OID: ${tag} (${detail})`);
    this.name = 'UnknownOidError';
  }
}

/**
 * A numeric OID that cannot be BER-encoded (a first arc above 2, a second above 39 under 0 or
 * 1, a sub-identifier above 2^32-1): the C tools refuse it with this same text before sending.
 */
export class BadOidError extends Error {
  constructor(
    readonly tag: string,
    readonly reason: string,
  ) {
    super(`Error building ASN.1 representation (Can't build OID for variable): ${tag}: ${reason}`);
    this.name = 'BadOidError';
  }
}
