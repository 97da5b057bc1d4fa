// Constructor checks: what POE::Component::Server::TCP and Client::TCP croak or carp about, and the port's own.
import { describe, expect, it } from 'vitest';
import { ARG0, HEAP, Kernel, Session, FilterLine, FilterStream } from '@poets/kernel';
import { Client, RESERVED_CLIENT_STATES, Server, TCPClient, TCPServer, type TCPClientOptions, type TCPServerOptions } from '@poets/server-tcp';
import { captureLog, runBounded } from './helpers.js';

const noop = () => undefined;

function server(options: Partial<TCPServerOptions>): TCPServer {
  return new TCPServer({ kernel: new Kernel(), Address: '127.0.0.1', ...options } as TCPServerOptions);
}

describe('Server.TCP parameters', () => {
  it('needs exactly one of Acceptor and ClientInput', () => {
    expect(() => server({})).toThrow(/needs either an Acceptor or a ClientInput but not both/);
    expect(() => server({ Acceptor: noop, ClientInput: noop })).toThrow(/needs either an Acceptor or a ClientInput but not both/);
  });

  it('refuses Client* parameters (and the other per-connection ones) beside an Acceptor', () => {
    expect(() => server({ Acceptor: noop, ClientConnected: noop })).toThrow(/ClientConnected not permitted without ClientInput/);
    expect(() => server({ Acceptor: noop, ClientFilter: FilterLine })).toThrow(/ClientFilter not permitted without ClientInput/);
    expect(() => server({ Acceptor: noop, idleTimeout: 5 })).toThrow(/idleTimeout not permitted without ClientInput/);
    expect(() => server({ Acceptor: noop, InlineStates: { x: noop } })).toThrow(/InlineStates not permitted without ClientInput/);
  });

  it('wants functions for the callbacks', () => {
    for (const name of ['ClientInput', 'ClientConnected', 'ClientError', 'Error', 'Started', 'allowDenyHook']) {
      expect(() => server({ ClientInput: noop, [name]: 'not a function' } as Partial<TCPServerOptions>)).toThrow(new RegExp(`${name} must be a function`));
    }
  });

  it('wants all four water-mark settings or none', () => {
    expect(() => server({ ClientInput: noop, HighMark: 100 })).toThrow(/you must define all four/);
    expect(() => server({ ClientInput: noop, HighMark: 100, LowMark: 10, ClientHigh: noop })).toThrow(/you must define all four/);
  });

  it('refuses the InlineStates, ObjectStates and PackageStates names it uses itself', () => {
    expect(RESERVED_CLIENT_STATES).toContain('tcp_server_got_input');
    for (const name of ['_start', '_stop', '_child', 'shutdown', 'tcp_server_got_input', 'tcp_server_got_error', 'tcp_server_got_flush']) {
      expect(() => server({ ClientInput: noop, InlineStates: { [name]: noop } })).toThrow(new RegExp(`InlineStates aren't allowed: ${name}`));
    }
    const object = { shutdown: noop };
    expect(() => server({ ClientInput: noop, ObjectStates: [object, ['shutdown']] })).toThrow(/ObjectStates aren't allowed: shutdown/);
    expect(() => server({ ClientInput: noop, PackageStates: [class {}, { _stop: 'stop' }] })).toThrow(/PackageStates aren't allowed: _stop/);
    expect(() => server({ ClientInput: noop, InlineStates: 'nope' as never })).toThrow(/InlineStates must be an object/);
    expect(() => server({ ClientInput: noop, ObjectStates: {} as never })).toThrow(/ObjectStates must be a list/);
  });

  it('wants ClientInputFilter and ClientOutputFilter together, and warns that ClientFilter is ignored beside them', async () => {
    expect(() => server({ ClientInput: noop, ClientInputFilter: FilterLine })).toThrow(/ClientInputFilter must be used with ClientOutputFilter/);
    const kernel = new Kernel();
    const { log, lines } = captureLog();
    const s = new TCPServer({ kernel, log, Address: '127.0.0.1', ClientInput: noop, ClientFilter: FilterLine, ClientInputFilter: FilterLine, ClientOutputFilter: FilterStream as never });
    kernel.post(s.ID(), 'shutdown');
    await runBounded(kernel);
    expect(lines.join('\n')).toMatch(/ClientFilter ignored with ClientInputFilter and ClientOutputFilter/);
  });

  it('checks ListenerArgs, ClientArgs, SessionParams, SessionType, Concurrency, listen, tls and the CIDR blocks', () => {
    expect(() => server({ ClientInput: noop, ListenerArgs: 'x' as never })).toThrow(/ListenerArgs must be an array/);
    expect(() => server({ ClientInput: noop, ClientArgs: {} as never })).toThrow(/ClientArgs must be an array/);
    expect(() => server({ ClientInput: noop, SessionParams: ['options'] })).toThrow(/SessionParams/);
    expect(() => server({ ClientInput: noop, SessionType: {} as never })).toThrow(/SessionType must have a create/);
    expect(() => server({ ClientInput: noop, Concurrency: -5 })).toThrow(/Concurrency/);
    expect(() => server({ ClientInput: noop, listen: [] })).toThrow(/listen must be a non-empty list/);
    expect(() => server({ ClientInput: noop, cidrAllow: ['10.0.0.0/33'] })).toThrow(/cidrAllow: '10.0.0.0\/33' is not a CIDR block/);
    expect(() => server({ ClientInput: noop, cidrDeny: ['nonsense'] })).toThrow(/cidrDeny/);
    expect(() => server({ ClientInput: noop, idleTimeout: 0 })).toThrow(/idleTimeout must be a positive number/);
    expect(() => server({ ClientInput: noop, Domain: 'AF_UNIX', Address: undefined })).toThrow(/needs an Address/);
  });

  it('applies maxLineLength to Line filters only', () => {
    expect(() => server({ ClientInput: noop, maxLineLength: 0 })).toThrow(/maxLineLength must be a positive integer/);
    expect(() => server({ ClientInput: noop, maxLineLength: 10, ClientFilter: FilterStream as never })).toThrow(/maxLineLength applies to Line filters only/);
    expect(() => server({ ClientInput: noop, maxLineLength: 10, ClientFilter: new FilterLine() })).toThrow(/cannot change a filter instance/);
  });

  it('refuses a filter spec that makes no filter, and an unknown POE filter name', () => {
    expect(() => server({ ClientInput: noop, ClientFilter: 'POE::Filter::Nope' })).toThrow(/unknown filter class 'POE::Filter::Nope'/);
    expect(() => server({ ClientInput: noop, ClientFilter: 42 as never })).toThrow(/ClientFilter must be/);
  });

  it('warns of parameters it does not know, and of Args beside ClientArgs', async () => {
    const kernel = new Kernel();
    const { log, lines } = captureLog();
    const s = new TCPServer({ kernel, log, Address: '127.0.0.1', ClientInput: noop, Args: [1], ClientArgs: [2], Bogus: 1 } as TCPServerOptions);
    kernel.post(s.ID(), 'shutdown');
    await runBounded(kernel);
    expect(lines).toContain('POE::Component::Server::TCP->new() doesn\'t recognize "Bogus" as a parameter');
    expect(lines.join('\n')).toMatch(/Args is deprecated, and ignored since ClientArgs is present/);
  });

  it('Server.TCP and new TCPServer make the same component', async () => {
    const kernel = new Kernel();
    const a = Server.TCP({ kernel, Address: '127.0.0.1', ClientInput: (_) => void _[HEAP].client.put(_[ARG0]) });
    expect(a).toBeInstanceOf(TCPServer);
    expect(typeof a.ID()).toBe('number');
    expect(a.port).toBeGreaterThan(0);
    kernel.post(a.ID(), 'shutdown');
    await runBounded(kernel);
    expect(a.port).toBeUndefined();
  });
});

describe('Client.TCP parameters (comp_tcp constructor strictness, and more)', () => {
  const base: TCPClientOptions = {
    RemoteAddress: '127.0.0.1',
    RemotePort: 31401,
    Connected: noop,
    ConnectError: noop,
    Disconnected: noop,
    ServerInput: noop,
    ServerError: noop,
    ServerFlushed: noop,
  };
  const without = (options: object, ...names: string[]) => {
    const copy0 = { ...(options as Record<string, unknown>) };
    for (const name of names) delete copy0[name];
    return copy0 as unknown as TCPClientOptions;
  };
  const client = (options: TCPClientOptions) => new TCPClient({ kernel: new Kernel(), ...options });

  it('requires RemoteAddress, RemotePort and ServerInput', () => {
    expect(() => client(without(base, 'RemoteAddress'))).toThrow(/needs a RemoteAddress parameter/);
    expect(() => client(without(base, 'RemotePort'))).toThrow(/needs a RemotePort parameter/);
    expect(() => client(without(base, 'ServerInput'))).toThrow(/requires a ServerInput parameter/);
  });

  it('wants all four water-mark settings or none', () => {
    const marks = { ...base, HighMark: 256, LowMark: 64, ServerHigh: noop, ServerLow: noop };
    expect(() => client(without(marks, 'LowMark', 'ServerHigh', 'ServerLow'))).toThrow(/all four/);
    expect(() => client(without(marks, 'HighMark', 'ServerHigh', 'ServerLow'))).toThrow(/all four/);
    expect(() => client(without(marks, 'HighMark', 'LowMark', 'ServerLow'))).toThrow(/all four/);
    expect(() => client(without(marks, 'HighMark', 'LowMark', 'ServerHigh'))).toThrow(/all four/);
  });

  it('wants InlineStates an object, ObjectStates and PackageStates lists, SessionParams a list or object', () => {
    expect(() => client({ ...base, InlineStates: 'Not a reference' as never })).toThrow(/InlineStates/);
    expect(() => client({ ...base, PackageStates: 'Not a reference' as never })).toThrow(/PackageStates/);
    expect(() => client({ ...base, ObjectStates: 'Not a reference' as never })).toThrow(/ObjectStates/);
    expect(() => client({ ...base, SessionParams: (() => 'Not an array reference') as never })).toThrow(/SessionParams/);
    expect(() => client({ ...base, InlineStates: { got_server_input: noop } })).toThrow(/InlineStates aren't allowed: got_server_input/);
    expect(() => client({ ...base, Connected: 'x' as never })).toThrow(/Connected must be a function/);
  });

  it('Client.TCP and new TCPClient make the same component; a refused connection goes to ConnectError', async () => {
    const kernel = new Kernel();
    const errors: unknown[][] = [];
    const c = Client.TCP({ ...base, kernel, RemotePort: 1, ConnectError: (_) => void errors.push(_.slice(ARG0, ARG0 + 3)) });
    expect(c).toBeInstanceOf(TCPClient);
    await runBounded(kernel);
    expect(errors).toHaveLength(1);
    expect(errors[0]![0]).toBe('connect');
    expect(errors[0]![1]).toBeGreaterThan(0);
  });

  it('SessionType may be any object with a create method', async () => {
    const kernel = new Kernel();
    const made: unknown[] = [];
    const type = {
      create<H>(options: Parameters<typeof Session.create<H>>[0]) {
        made.push(options.options);
        return Session.create<H>(options);
      },
    };
    const s = new TCPServer({ kernel, Address: '127.0.0.1', ClientInput: noop, SessionType: type, SessionParams: ['options', { default: true }] });
    kernel.post(s.ID(), 'shutdown');
    await runBounded(kernel);
    expect(made).toEqual([{ default: true }]);
  });
});

describe('types', () => {
  it('the record types follow the ClientFilter (Line: strings by default), and handlers need no annotation', async () => {
    const { expectTypeOf } = await import('vitest');
    const kernel = new Kernel();
    const lines = new TCPServer({ kernel, Address: '127.0.0.1', ClientInput: (_) => expectTypeOf(_[ARG0]).toEqualTypeOf<string>() });
    const bytes = new TCPServer({ kernel, Address: '127.0.0.1', ClientFilter: FilterStream, ClientInput: (_) => expectTypeOf(_[ARG0]).toEqualTypeOf<Buffer>() });
    expectTypeOf(lines).toEqualTypeOf<TCPServer<string, string>>();
    expectTypeOf(bytes.heap.connections).toEqualTypeOf<number>();
    lines.shutdown();
    bytes.shutdown();
    await runBounded(kernel);
  });
});
