// Net::Server's t/Options.t as behaviour: the five sources of arguments and their precedence
// (new > command line > run > conf file > default_values), custom options, conf-file reading.
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@poets/kernel';
import { ConfigError, NetServer, scalarRef, type OptionsTemplate } from '@poets/net-server';
import { describe, expect, it } from 'vitest';

const conf = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Options.t's FooServer: a custom scalar and array option, defaults, and nothing bound or looped. */
class FooServer extends NetServer {
  override options(template: OptionsTemplate): OptionsTemplate {
    super.options(template);
    template.my_option = scalarRef(this.server, 'my_option');
    template.mo = template.my_option; // an alias
    this.server.an_arrayref_item ??= [];
    template.an_arrayref_item = this.server.an_arrayref_item as unknown[];
    return template;
  }
  override default_values(): Record<string, unknown> {
    return { group: 'defaultgroup', allow: ['127.0.0.1', '192.169.0.1'] };
  }
  override async bind() {}
  override async post_bind() {}
  override async loop() {}
}

class BarServer extends FooServer {
  override default_values() {
    return { conf_file: conf('precedence.conf') };
  }
}

const opts = (argv: string[] = []) => ({ argv, logger: silentLogger, signals: false });
const run = (args: Record<string, unknown> = {}, argv: string[] = []) => new FooServer({}, opts(argv)).run(args).then((s) => s.server);

describe('defaults (Options.t)', () => {
  it('runs with log_level 2, log_file empty, no user, one endpoint on port 20203, every address', async () => {
    const server = await FooServer.run({}, opts());
    const prop = server.server;
    expect(prop.log_level).toBe(2);
    expect(prop.log_file).toBe('');
    expect(prop.user).toBeUndefined();
    expect(prop._bind).toHaveLength(1);
    expect(prop.sock).toHaveLength(1);
    const sock = prop.sock![0]!;
    expect([sock.NS_host, sock.NS_port, sock.NS_proto]).toEqual(['*', 20203, 'TCP']);
  });
});

describe('each source alone', () => {
  it('run(port) makes a one-entry port list', async () => {
    expect((await run({ port: 2201 })).port).toEqual([2201]);
  });
  it('run(port array) keeps every port', async () => {
    expect((await run({ port: [2201, 2202] })).port).toEqual([2201, 2202]);
  });
  it('new(port).run()', async () => {
    const server = await new FooServer({ port: 2201 }, opts()).run();
    expect(server.server.port).toEqual([2201]);
  });
  it('command line --port 2201', async () => {
    expect((await run({}, ['--port', '2201'])).port).toEqual(['2201']);
  });
  it('command line --port 2201 --port=2202 port=2203 gives all three', async () => {
    expect((await run({}, ['--port', '2201', '--port=2202', 'port=2203'])).port).toEqual(['2201', '2202', '2203']);
  });
  it('a bare --flag before another option is 1', async () => {
    expect((await run({}, ['--reverse_lookups', '--port=1'])).reverse_lookups).toBe('1');
  });
  it('leaves unknown command-line arguments, in order, for the application', async () => {
    const server = await new FooServer({}, opts(['--verbose', 'file.txt', '--port=2201', '-x'])).run();
    expect(server.ARGV).toEqual(['--verbose', 'file.txt', '-x']);
    expect(server.server.port).toEqual(['2201']);
  });
  it('decodes %XX in command-line values', async () => {
    expect((await run({}, ['--my_option=a%20b'])).my_option).toBe('a b');
  });
  it('conf file: repeated list keys make a list, a repeated scalar takes the last', async () => {
    const prop = await run({ conf_file: conf('precedence.conf') });
    expect(prop.port).toEqual(['5401', '5402', '5403']);
    expect(prop.user).toBe('foo');
    expect(prop.my_option).toBe('bar');
    expect(prop.an_arrayref_item).toEqual(['one', 'three', 'two']);
  });
  it('custom options from run: a scalar, an alias and a list', async () => {
    expect((await run({ my_option: 'wow' })).my_option).toBe('wow');
    expect((await run({ mo: 'via alias' })).my_option).toBe('via alias');
    expect((await run({ an_arrayref_item: 'wow' })).an_arrayref_item).toEqual(['wow']);
  });
});

describe('precedence: new > command line > run > conf file > default_values', () => {
  it('command line beats run and conf', async () => {
    expect((await run({ conf_file: conf('precedence.conf'), user: 'runargs' }, ['--user=cmdline'])).user).toBe('cmdline');
    expect((await run({ conf_file: conf('precedence.conf'), group: 'runargs' }, ['--group=cmdline'])).group).toBe('cmdline');
  });
  it('run beats conf', async () => {
    expect((await run({ conf_file: conf('precedence.conf'), user: 'runargs' })).user).toBe('runargs');
    expect((await run({ conf_file: conf('precedence.conf'), group: 'runargs' })).group).toBe('runargs');
  });
  it('conf beats default_values', async () => {
    expect((await run({ conf_file: conf('precedence.conf') })).group).toBe('confgroup');
  });
  it('default_values fill what nothing else set, lists included', async () => {
    const prop = await run();
    expect(prop.group).toBe('defaultgroup');
    expect(prop.allow).toEqual(['127.0.0.1', '192.169.0.1']);
  });
  it('a list set by the command line is not added to by run', async () => {
    expect((await run({ port: 9 }, ['--port=1'])).port).toEqual(['1']);
  });
  it('default_values may name the conf file', async () => {
    const server = await new BarServer({}, opts()).run();
    expect(server.server.group).toBe('confgroup');
  });
  it('new beats everything: its conf_file is read, not the one given to run', async () => {
    const server = await new FooServer({ conf_file: conf('precedence.conf') }, opts()).run({ conf_file: '/nonexistent/file.conf' });
    expect(server.server.group).toBe('confgroup');
  });
  it('configure_hook runs first, post_configure_hook after every source', async () => {
    const seen: unknown[] = [];
    class Hooked extends FooServer {
      override configure_hook() {
        seen.push(['configure_hook', this.server.port]);
        this.server.my_option = 'from configure_hook';
      }
      override post_configure_hook() {
        seen.push(['post_configure_hook', this.server.port, this.server.my_option]);
      }
    }
    await new Hooked({}, opts()).run({ port: 7, my_option: 'from run' });
    expect(seen).toEqual([
      ['configure_hook', undefined],
      ['post_configure_hook', [7], 'from configure_hook'],
    ]);
  });
  it('commandline() is the script and the arguments as given', async () => {
    const server = await new FooServer({}, opts(['--port=5', 'extra'])).run();
    expect(server.commandline().slice(1)).toEqual(['--port=5', 'extra']);
  });
});

describe('conf file forms', () => {
  it('key value, key = value, key: value, key:value, \\# kept, and an IPv6 value after a space keeps its colons', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'net-server-conf-'));
    try {
      const file = join(dir, 'forms.conf');
      writeFileSync(file, 'cidr_allow  ::1/128\ncidr_allow = 10.0.0.0/8\nuser: alice\n  group:staff\nmy_option a\\#b # comment\n\n   # indented comment\n');
      const prop = await run({ conf_file: file });
      expect(prop.cidr_allow).toEqual(['::1/128', '10.0.0.0/8']); // Perl 2.013 reads the first as ':1/128'
      expect([prop.user, prop.group, prop.my_option]).toEqual(['alice', 'staff', 'a#b']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bad configuration is a clear error', () => {
  it('a missing conf file', async () => {
    await expect(run({ conf_file: '/nonexistent/x.conf' })).rejects.toThrow(/couldn't open conf "\/nonexistent\/x.conf" \[ENOENT\]/);
  });
  it('an unknown key in the conf file', async () => {
    await expect(run({ conf_file: conf('unknown-key.conf') })).rejects.toThrow(/unknown key "colour"/);
  });
  it('a line that is no "key value"', async () => {
    await expect(run({ conf_file: conf('bad-line.conf') })).rejects.toThrow(/line 2: "just_a_key" is not "key value"/);
  });
  it('a bad value', async () => {
    const error = await run({ conf_file: conf('bad-value.conf') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(/log_level must be 0-4, not "loud"/);
  });
  it('two values for a scalar from one run argument', async () => {
    await expect(run({ user: ['a', 'b'] })).rejects.toThrow(/multiple values on the configuration item "user"/);
  });
  it('a log_level above 4 is 4', async () => {
    expect((await run({ log_level: 9 })).log_level).toBe(4);
  });
});
