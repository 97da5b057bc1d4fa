// Net::Server's t/Port_Configuration.t as behaviour: every way of writing `port` (with host, proto,
// ipv) and the endpoints it gives, plus the endpoint objects' NS_ properties.
import { silentLogger } from '@poets/kernel';
import { NetServer, parse_info, PortError, prepared_ports, SOMAXCONN, type PortSpec } from '@poets/net-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

class FooServer extends NetServer {
  override async bind() {}
  override async post_bind() {}
  override async loop() {}
}

const run = (args: Record<string, unknown>) => new FooServer({}, { argv: [], logger: silentLogger, signals: false }).run(args).then((s) => s.server);
const bindOf = async (args: Record<string, unknown>) => (await run(args))._bind;

let savedIpv: string | undefined;
beforeEach(() => {
  savedIpv = process.env.IPV;
  process.env.IPV = '4'; // as the Perl test: pretend to be IPv4-only unless a case says otherwise
});
afterEach(() => {
  if (savedIpv === undefined) delete process.env.IPV;
  else process.env.IPV = savedIpv;
});

const tcp4 = (host: string, port: number | string, extra = {}) => ({ host, port, proto: 'tcp', ipv: '4', ...extra });

describe('tcp and udp ports', () => {
  it('no port: 20203 on every address', async () => {
    const prop = await run({});
    expect(prop._bind).toEqual([tcp4('*', 20203)]);
    const sock = prop.sock![0]!;
    expect({ host: sock.NS_host, port: sock.NS_port, ipv: sock.NS_ipv, proto: sock.NS_proto, listen: sock.NS_listen }).toEqual({
      host: '*', port: 20203, ipv: '4', proto: 'TCP', listen: SOMAXCONN,
    });
  });
  const cases: [string, Record<string, unknown>, object[]][] = [
    ['a number', { port: 20201 }, [tcp4('*', 20201)]],
    ['host:port', { port: 'localhost:20202' }, [tcp4('localhost', 20202)]],
    ['host:port/proto', { port: ['localhost:20202/tcp'] }, [tcp4('localhost', 20202)]],
    ['host:port/ipv4', { port: 'localhost:20202/ipv4' }, [tcp4('localhost', 20202)]],
    ['ipv and proto in either order', { port: ['localhost:20201/ipv4/tcp', 'localhost:20202/tcp/IPv4'] }, [tcp4('localhost', 20201), tcp4('localhost', 20202)]],
    ['| and , separators', { port: ['localhost|20201|ipv4|tcp', 'localhost,20202,tcp,IPv4'] }, [tcp4('localhost', 20201), tcp4('localhost', 20202)]],
    ['spaces and ", "', { port: ['localhost 20201 ipv4 tcp', 'localhost, 20202, tcp, IPv4'] }, [tcp4('localhost', 20201), tcp4('localhost', 20202)]],
    ['host:port/udp', { port: 'localhost:20202/udp' }, [{ ...tcp4('localhost', 20202), proto: 'udp' }]],
    ['a proto per port', { port: ['bar.com:20201/udp', 'foo.com:20202/tcp'] }, [{ ...tcp4('bar.com', 20201), proto: 'udp' }, tcp4('foo.com', 20202)]],
    ['host and proto from their own arguments, case kept', { port: 20201, host: 'bar.com', proto: 'UDP' }, [{ ...tcp4('bar.com', 20201), proto: 'UDP' }]],
    ['arguments apply where the port does not say', { port: [20201, 'foo.com:20202/tcp'], host: 'bar.com', proto: 'UDP' }, [{ ...tcp4('bar.com', 20201), proto: 'UDP' }, tcp4('foo.com', 20202)]],
    ['[host]:port/proto', { port: ['[localhost]:20202/tcp'] }, [tcp4('localhost', 20202)]],
    ['a proto class name', { port: ['localhost,20202,Net::Server::Proto::TCP'] }, [{ ...tcp4('localhost', 20202), proto: 'Net::Server::Proto::TCP' }]],
    ['an object', { port: { port: 20201 } }, [tcp4('*', 20201)]],
    ['a list of objects', { port: [{ port: 20201 }] }, [tcp4('*', 20201)]],
    ['an object with host and proto', { port: [{ port: 20201, host: 'foo.com', proto: 'udp' }] }, [{ ...tcp4('foo.com', 20201), proto: 'udp' }]],
    ['an object taking host and proto from the arguments', { port: [{ port: 20201 }], host: 'foo.com', proto: 'udp' }, [{ ...tcp4('foo.com', 20201), proto: 'udp' }]],
    ['an object with its own listen', { port: [{ port: 20202, listen: 6 }] }, [tcp4('*', 20202, { listen: 6 })]],
    ['a service name from /etc/services', { port: 'localhost:smtp' }, [tcp4('localhost', 25)]],
    ['a service name for udp', { port: 'ntp/udp' }, [{ ...tcp4('*', 123), proto: 'udp' }]],
  ];
  it.each(cases)('%s', async (_name, args, expected) => {
    expect(await bindOf(args)).toEqual(expected);
  });
  it('listen applies to every endpoint; udp endpoints have recv_len and recv_flags', async () => {
    const tcp = (await run({ port: 20202, listen: 5 })).sock![0]!;
    expect(tcp.NS_listen).toBe(5);
    const udp = (await run({ port: 20201, host: 'bar.com', proto: 'UDP', udp_recv_len: 400 })).sock![0]!;
    expect([udp.NS_proto, udp.NS_recv_len, udp.NS_recv_flags]).toEqual(['UDP', 400, 0]);
    const udpDefault = (await run({ port: 'localhost:20202/udp' })).sock![0]!;
    expect(udpDefault.NS_recv_len).toBe(4096);
  });
  it('new() arguments parse as run() arguments do', async () => {
    const server = await new FooServer({ port: 20201, host: 'bar.com', proto: 'UDP' }, { argv: [], logger: silentLogger, signals: false }).run();
    expect(server.server._bind).toEqual([{ ...tcp4('bar.com', 20201), proto: 'UDP' }]);
  });
  it('host and proto lists shorter than the ports are extended with their last entry', async () => {
    expect(await bindOf({ port: [1, 2, 3], host: ['a.example', 'b.example'], proto: ['udp'] })).toEqual([
      { ...tcp4('a.example', 1), proto: 'udp' },
      { ...tcp4('b.example', 2), proto: 'udp' },
      { ...tcp4('b.example', 3), proto: 'udp' },
    ]);
  });
  it('a duplicate endpoint is bound once', async () => {
    expect(await bindOf({ port: [20201, 20201, '20201/udp'] })).toEqual([tcp4('*', 20201), { ...tcp4('*', 20201), proto: 'udp' }]);
  });
});

describe('unix ports', () => {
  it('path/unix and path|unix', async () => {
    expect(await bindOf({ port: 'foo/bar/unix' })).toEqual([{ host: '*', port: 'foo/bar', proto: 'unix', ipv: '*' }]);
    const prop = await run({ port: '/foo/bar|unix' });
    expect(prop._bind).toEqual([{ host: '*', port: '/foo/bar', proto: 'unix', ipv: '*' }]);
    const sock = prop.sock![0]!;
    expect([sock.NS_proto, sock.NS_unix_type, sock.NS_unix_path, sock.NS_listen, sock.NS_ipv]).toEqual(['UNIX', 'SOCK_STREAM', '/foo/bar', SOMAXCONN, '*']);
  });
  it('path|SOCK_STREAM|unix and an object with unix_type', async () => {
    expect(await bindOf({ port: '/foo/bar|SOCK_STREAM|unix' })).toEqual([{ host: '*', port: '/foo/bar', proto: 'unix', unix_type: 'SOCK_STREAM', ipv: '*' }]);
    const prop = await run({ port: { port: '/foo/bar', proto: 'unix', unix_type: 'sock_stream', listen: 7 } });
    expect(prop._bind).toEqual([{ host: '*', port: '/foo/bar', proto: 'unix', unix_type: 'sock_stream', listen: 7, ipv: '*' }]);
    expect(prop.sock![0]!.NS_listen).toBe(7);
  });
  it('SOCK_DGRAM parses, and is refused at pre_bind: Node has no unix datagram sockets', async () => {
    expect(parse_info('foo/bar|sock_dgram|unix')).toEqual([{ host: '*', port: 'foo/bar', proto: 'unix', unix_type: 'sock_dgram', ipv: '*' }]);
    await expect(run({ port: 'foo/bar|sock_dgram|unix' })).rejects.toThrow(/Node has no unix datagram sockets/);
    await expect(run({ port: '/foo/bar|unixdgram' })).rejects.toThrow(/Node has no unix datagram sockets/);
  });
});

describe('ssl ports', () => {
  it('proto ssl needs a certificate and key, named in the error', async () => {
    await expect(run({ proto: 'ssl' })).rejects.toThrow(/SSL_cert_file and SSL_key_file/);
    await expect(run({ port: '20203/ssl', SSL_cert_file: '/nonexistent.crt', SSL_key_file: '/nonexistent.key' })).rejects.toThrow(/SSL_cert_file "\/nonexistent.crt" cannot be read \(ENOENT\)/);
    expect(parse_info('20203/ssl')).toEqual([{ host: '*', port: 20203, proto: 'ssl', ipv: '4' }]);
  });
});

describe('ipv6', () => {
  it.each<[string, PortSpec, Record<string, unknown>, object[]]>([
    ['defaults to 4 (IPV=4)', 20201, {}, [tcp4('*', 20201)]],
    ['ipv 6 asked for', 20201, { ipv: 6 }, [{ ...tcp4('*', 20201), ipv: '6' }]],
    ['ipv in the object', { port: 20201, ipv: 6 }, {}, [{ ...tcp4('*', 20201), ipv: '6' }]],
    ['[*]:port:IPv6', '[*]:20201:IPv6', {}, [{ ...tcp4('*', 20201), ipv: '6' }]],
    ['[host]:IPv6:port', '[localhost]:IPv6:20201', {}, [{ ...tcp4('localhost', 20201), ipv: '6' }]],
    ['host/IPv6 in host', 20201, { host: 'localhost/IPv6' }, [{ ...tcp4('localhost', 20201), ipv: '6' }]],
    ['udp IPv6 in proto', 20201, { host: 'localhost', proto: 'udp IPv6' }, [{ ...tcp4('localhost', 20201), proto: 'udp', ipv: '6' }]],
    ['IPv6, IPv4 stacked: both', 'localhost, 20201, IPv6, IPv4', {}, [{ ...tcp4('localhost', 20201), ipv: '6' }, tcp4('localhost', 20201)]],
    ['ipv list in the object', { port: 20201, host: 'localhost', ipv: ['6', '4'] }, {}, [{ ...tcp4('localhost', 20201), ipv: '6' }, tcp4('localhost', 20201)]],
    ['ipv "IPv4, IPv6": v6 then v4', 'localhost, 20201', { ipv: 'IPv4, IPv6' }, [{ ...tcp4('localhost', 20201), ipv: '6' }, tcp4('localhost', 20201)]],
    ['an IPv6 address with ipv *', 20201, { host: '::1', ipv: '*' }, [{ ...tcp4('::1', 20201), ipv: '6' }]],
  ])('%s', async (_name, port, args, expected) => {
    expect(await bindOf({ port, ...args })).toEqual(expected);
  });
  it('host * with no IPV is every address of both families (one dual-stack endpoint)', () => {
    delete process.env.IPV;
    expect(parse_info(20201)).toEqual([{ host: '*', port: 20201, proto: 'tcp', ipv: '*' }]);
    expect(parse_info('[::1]:20201')).toEqual([{ host: '::1', port: 20201, proto: 'tcp', ipv: '6' }]);
  });
});

describe('bad ports', () => {
  it('each refused with the reason', () => {
    expect(() => parse_info('localhost:99999')).toThrow(PortError);
    expect(() => parse_info('localhost:nosuchservicex')).toThrow(/unknown service "nosuchservicex" for tcp/);
    expect(() => parse_info(20201, 'bad host!')).toThrow(/could not determine host/);
    expect(() => parse_info(20201, undefined, undefined, '5')).toThrow(/invalid ipv parameter/);
    expect(() => parse_info({ port: '' })).toThrow(/missing port/);
    expect(() => prepared_ports([20201], [], ['bogus proto'], [])).toThrow(/could not determine proto/);
  });
});
