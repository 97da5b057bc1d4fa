import { Session, type EventMap, type Kernel, type Logger, type SessionOptions } from '@poets/kernel';
import { AccessControl } from './access.js';
import { endpointsOf, type Endpoint } from './endpoints.js';
import { filterFactory, type FilterFactory } from './filters.js';
import type { ComponentLog } from './log.js';
import {
  checkMarks,
  perlTrue,
  requireFunctions,
  seconds,
  sessionParams,
  sessionType,
  unknownParams,
  userStates,
  type Callback,
  type UserStates,
} from './params.js';
import type { ServerHooks, SessionType, TCPServerOptions } from './server-options.js';

/** Event names the connection sessions keep for themselves: InlineStates and the others may not use them. */
export const RESERVED_CLIENT_STATES = [
  '_child',
  '_start',
  '_stop',
  'shutdown',
  'tcp_server_got_error',
  'tcp_server_got_flush',
  'tcp_server_got_high',
  'tcp_server_got_input',
  'tcp_server_got_low',
  'tcp_server_got_die',
  'tcp_server_idle',
] as const;

const CALLBACKS = [
  'Acceptor',
  'Error',
  'ClientInput',
  'ClientPreConnect',
  'ClientConnected',
  'ClientDisconnected',
  'ClientError',
  'ClientFlushed',
  'ClientLow',
  'ClientHigh',
  'Started',
  'Stopped',
  'postAcceptHook',
  'allowDenyHook',
  'requestDeniedHook',
  'preServerCloseHook',
  'reverseLookup',
  'log',
];

/** The parameters that belong to connection sessions: POE refuses them beside an Acceptor. */
const CLIENT_ONLY = ['idleTimeout', 'maxLineLength', 'backPressure', 'HighMark', 'LowMark', 'InlineStates', 'ObjectStates', 'PackageStates'];

const KNOWN = new Set([
  'Port',
  'Address',
  'Domain',
  'Hostname',
  'Alias',
  'Acceptor',
  'Error',
  'Concurrency',
  'Started',
  'Stopped',
  'ListenerArgs',
  'ClientArgs',
  'Args',
  'ClientConnected',
  'ClientDisconnected',
  'ClientError',
  'ClientFilter',
  'ClientInputFilter',
  'ClientOutputFilter',
  'ClientFlushed',
  'ClientInput',
  'ClientShutdownOnError',
  'ClientPreConnect',
  'ClientHigh',
  'ClientLow',
  'HighMark',
  'LowMark',
  'SessionType',
  'SessionParams',
  'InlineStates',
  'ObjectStates',
  'PackageStates',
  'listen',
  'listenQueue',
  'idleTimeout',
  'maxLineLength',
  'backPressure',
  'tls',
  'log',
  'logger',
  'kernel',
  'cidrAllow',
  'cidrDeny',
  'allow',
  'deny',
  'reverseLookups',
  'reverseLookup',
  'postAcceptHook',
  'allowDenyHook',
  'requestDeniedHook',
  'preServerCloseHook',
]);

/** How each connection session is made (the default Acceptor's settings). */
export interface ConnectionConfig {
  input: Callback;
  connected: Callback | undefined;
  disconnected: Callback | undefined;
  /** Undefined: the default, which logs. */
  error: Callback | undefined;
  flushed: Callback | undefined;
  preConnect: Callback | undefined;
  high: Callback | undefined;
  low: Callback | undefined;
  marks: { HighMark: number; LowMark: number } | undefined;
  shutdownOnError: boolean;
  args: readonly unknown[];
  /** One filter for both directions, or an input and an output filter. */
  filter: FilterFactory | undefined;
  inputFilter: FilterFactory | undefined;
  outputFilter: FilterFactory | undefined;
  states: UserStates;
  idleTimeout: number | undefined;
  /** Bytes of unsent output above which a connection's input is paused until its output has drained (undefined: never). */
  backPressure: number | undefined;
}

/** The default `backPressure`: 1 MiB of output a client has not read pauses its input. */
export const DEFAULT_BACK_PRESSURE = 1024 * 1024;

/** Everything the component needs, checked once at construction. */
export interface ServerConfig {
  who: string;
  alias: string | undefined;
  endpoints: Endpoint[];
  listenQueue: number | undefined;
  concurrency: number;
  acceptor: Callback | undefined;
  error: Callback | undefined;
  started: Callback | undefined;
  stopped: Callback | undefined;
  listenerArgs: readonly unknown[];
  connection: ConnectionConfig | undefined;
  access: AccessControl | undefined;
  hooks: ServerHooks;
  log: ComponentLog | undefined;
  logger: Logger | undefined;
  sessionType: SessionType;
  sessionParams: Partial<SessionOptions<unknown, EventMap>>;
  kernel: Kernel | undefined;
  /** Warnings POE carps at construction; logged once the kernel (and so the default log) is known. */
  warnings: string[];
}

/** Checks a server's parameters as POE::Component::Server::TCP->new does, and more. Throws TypeError. */
export function serverConfig(options: TCPServerOptions<unknown, unknown>): ServerConfig {
  const who = 'POE::Component::Server::TCP->new()';
  if (typeof options !== 'object' || options === null) throw new TypeError(`${who} needs an object of parameters`);
  const o = options;
  requireFunctions(o, CALLBACKS, who);
  const marks = checkMarks([o.HighMark, o.LowMark, o.ClientHigh, o.ClientLow], who);
  if ((o.Acceptor !== undefined) === (o.ClientInput !== undefined)) throw new TypeError(`${who} needs either an Acceptor or a ClientInput but not both`);

  const warnings: string[] = [];
  if (o.ClientInput === undefined) {
    for (const key of Object.keys(o).sort()) {
      if ((key.startsWith('Client') || CLIENT_ONLY.includes(key)) && (o as Record<string, unknown>)[key] !== undefined) {
        throw new TypeError(`${who}: ${key} not permitted without ClientInput`);
      }
    }
  }
  const listenerArgs = o.ListenerArgs ?? [];
  if (!Array.isArray(listenerArgs)) throw new TypeError(`${who}: ListenerArgs must be an array`);

  if (o.Args !== undefined && o.ClientArgs !== undefined) warnings.push(`${who}: Args is deprecated, and ignored since ClientArgs is present`);
  const clientArgs = o.ClientArgs ?? o.Args ?? [];
  if (!Array.isArray(clientArgs)) throw new TypeError(`${who}: ClientArgs must be an array`);

  if ((o.ClientInputFilter === undefined) !== (o.ClientOutputFilter === undefined)) {
    throw new TypeError(`${who}: ClientInputFilter must be used with ClientOutputFilter`);
  }
  let clientFilter = o.ClientFilter;
  if (clientFilter !== undefined && o.ClientInputFilter !== undefined) {
    warnings.push(`${who}: ClientFilter ignored with ClientInputFilter and ClientOutputFilter`);
    clientFilter = undefined;
  }

  const concurrency = o.Concurrency ?? -1;
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < -1) {
    throw new TypeError(`${who}: Concurrency must be -1 (no limit) or a count of connections`);
  }
  if (o.Alias !== undefined && typeof o.Alias !== 'string') throw new TypeError(`${who}: Alias must be a string`);
  if (o.listenQueue !== undefined && (!Number.isInteger(o.listenQueue) || o.listenQueue < 0)) {
    throw new TypeError(`${who}: listenQueue must be a positive integer`);
  }
  const backPressure = o.backPressure ?? DEFAULT_BACK_PRESSURE;
  if (backPressure !== false && (!Number.isSafeInteger(backPressure) || backPressure <= 0)) {
    throw new TypeError(`${who}: backPressure must be a positive number of bytes, or false`);
  }
  const maxLineLength = o.maxLineLength;
  if (maxLineLength !== undefined && (!Number.isSafeInteger(maxLineLength) || maxLineLength <= 0)) {
    throw new TypeError(`${who}: maxLineLength must be a positive integer (bytes)`);
  }

  let connection: ConnectionConfig | undefined;
  if (o.ClientInput !== undefined) {
    const split = o.ClientInputFilter !== undefined;
    connection = {
      input: o.ClientInput as Callback,
      connected: o.ClientConnected as Callback | undefined,
      disconnected: o.ClientDisconnected as Callback | undefined,
      error: o.ClientError as Callback | undefined,
      flushed: o.ClientFlushed as Callback | undefined,
      preConnect: o.ClientPreConnect as Callback | undefined,
      high: o.ClientHigh as Callback | undefined,
      low: o.ClientLow as Callback | undefined,
      marks: marks ? { HighMark: o.HighMark!, LowMark: o.LowMark! } : undefined,
      shutdownOnError: 'ClientShutdownOnError' in o ? perlTrue(o.ClientShutdownOnError) : true,
      args: clientArgs,
      filter: split ? undefined : filterFactory(clientFilter, maxLineLength, 'ClientFilter'),
      inputFilter: split ? filterFactory(o.ClientInputFilter, maxLineLength, 'ClientInputFilter') : undefined,
      outputFilter: split ? filterFactory(o.ClientOutputFilter, undefined, 'ClientOutputFilter') : undefined,
      states: userStates(o.InlineStates, o.ObjectStates, o.PackageStates, RESERVED_CLIENT_STATES, who),
      idleTimeout: seconds(o.idleTimeout, 'idleTimeout', who),
      backPressure: backPressure === false ? undefined : backPressure,
    };
  }

  for (const key of unknownParams(o, KNOWN)) warnings.push(`${who} doesn't recognize "${key}" as a parameter`);

  return {
    who,
    alias: o.Alias,
    endpoints: endpointsOf(o, who),
    listenQueue: o.listenQueue,
    concurrency,
    acceptor: o.Acceptor as Callback | undefined,
    error: o.Error as Callback | undefined,
    started: o.Started as Callback | undefined,
    stopped: o.Stopped as Callback | undefined,
    listenerArgs,
    connection,
    access: AccessControl.from(o),
    hooks: {
      postAcceptHook: o.postAcceptHook,
      allowDenyHook: o.allowDenyHook,
      requestDeniedHook: o.requestDeniedHook,
      preServerCloseHook: o.preServerCloseHook,
    },
    log: o.log,
    logger: o.logger,
    sessionType: sessionType(o.SessionType, who) ?? (Session as SessionType),
    sessionParams: sessionParams(o.SessionParams, who),
    kernel: o.kernel,
    warnings,
  };
}
