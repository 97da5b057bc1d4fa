// The component (POE::Component::SNMP::Session) and its Promise/rxjs helpers.
export {
  SNMPSession,
  SNMP_COMMANDS,
  compareOids,
  type SNMPCallback,
  type SNMPCommand,
  type SNMPRequestInfo,
  type SNMPResponse,
  type SNMPResult,
  type SNMPSessionView,
  type TrapId,
  type TrapOptions,
} from './snmp-session.js';
export { SNMPTrapReceiver, type SNMPTrapReceiverOptions, type SNMPTrap, type SNMPTrapUser } from './trap-receiver.js';
export { SESSION_PARAMETERS, type SNMPSessionOptions } from './options.js';

// Every error the package defines.
export { BadOidError, SNMPError, SNMPSessionOptionError, UnknownOidError, SNMPERR_GENERR, SNMPERR_TIMEOUT } from './errors.js';

// Varbinds and VarLists as Perl's SNMP module shapes them.
export { isException, varbindOid, varList, bufferToBigint, type SnmpValue, type Varbind, type VarList, type Vars } from './varbind.js';

// The MIB name index over net-snmp's module store.
export { MibIndex, loadMib, mibIndex, wireOid, type MibName } from './mib.js';

// Perl SNMP's response formats (UseLongNames, UseNumeric, UseEnums, UseSprintValue).
export { sprintValue, tagOf, type ResponseFormat } from './format.js';

// The engine, for what the component does not wrap.
export { netSnmp, type NetSnmp, type NetSnmpAgent, type NetSnmpSession, type NetSnmpVarbind } from './engine.js';
