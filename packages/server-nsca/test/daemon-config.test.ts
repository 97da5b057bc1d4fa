import { describe, expect, it } from 'vitest';
import { defaultConfig, parseNscaConfig } from '../src/index.js';

describe('parseNscaConfig (nsca.cfg)', () => {
  it('has the nsca defaults when the file says nothing', () => {
    const { config, warnings, errors } = parseNscaConfig('');
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(config).toEqual(defaultConfig());
    expect(config).toMatchObject({
      server_port: 5667,
      decryption_method: 1,
      password: '',
      max_packet_age: 30,
      aggregate_writes: false,
      append_to_file: false,
      strict_mode_spoofing: false,
      debug: false,
      allowed_hosts: [],
      command_file: undefined,
      server_address: undefined,
    });
  });

  it('reads every key', () => {
    const text = [
      'server_address=127.0.0.1',
      'server_port=15667',
      'allowed_hosts=127.0.0.1, 10.0.0.0/8,,192.168.1.0/24',
      'password=s3cr3t pass;word=x',
      'decryption_method=14',
      'command_file=/var/run/icinga2/cmd/icinga2.cmd',
      'alternate_dump_file=/run/nagios/nsca.dump',
      'aggregate_writes=1',
      'append_to_file=1',
      'max_packet_age=60',
      'strict_mode_spoofing=1',
      'debug=1',
      'pid_file=/run/nagios/nsca.pid',
      'nsca_user=nagios',
      'nsca_group=nogroup',
      'nsca_chroot=/var/lib/nagios/rw',
      'log_facility=daemon',
      'check_result_path=/var/lib/nagios/spool/checkresults',
      'strict_fields=1',
      'max_line_length=4000',
    ].join('\n');
    const { config, errors, warnings } = parseNscaConfig(text, 'test.cfg');
    expect(errors).toEqual([]);
    expect(config).toEqual({
      server_address: '127.0.0.1',
      server_port: 15667,
      allowed_hosts: ['127.0.0.1', '10.0.0.0/8', '192.168.1.0/24'],
      password: 's3cr3t pass;word=x',
      decryption_method: 14,
      command_file: '/var/run/icinga2/cmd/icinga2.cmd',
      alternate_dump_file: '/run/nagios/nsca.dump',
      aggregate_writes: true,
      append_to_file: true,
      max_packet_age: 60,
      strict_mode_spoofing: true,
      debug: true,
      pid_file: '/run/nagios/nsca.pid',
      nsca_user: 'nagios',
      nsca_group: 'nogroup',
      nsca_chroot: '/var/lib/nagios/rw',
      log_facility: 'daemon',
      check_result_path: '/var/lib/nagios/spool/checkresults',
      strict_fields: true,
      max_line_length: 4000,
      // poets-nscad's own keys, at their defaults (see daemon-config-spool.test.ts)
      spool_directory: undefined,
      spool_max_bytes: 1024 * 1024 * 1024,
      queue_max_bytes: 16 * 1024 * 1024,
      queue_max_age: 0,
    });
    // the two keys the port reads but does not act on say so
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^test\.cfg line 16: nsca_chroot is not supported/);
    expect(warnings[1]).toMatch(/^test\.cfg line 18: check_result_path is not supported/);
  });

  it('keeps the password exactly (spaces, = and #), only a CR before the line end is dropped', () => {
    expect(parseNscaConfig('password= a=b #c \n').config.password).toBe(' a=b #c ');
    expect(parseNscaConfig('password=crlf\r\n').config.password).toBe('crlf');
  });

  it('reads flags through atoi as nsca does: a positive number is on, anything else (yes, true) off', () => {
    const flags = (value: string) =>
      parseNscaConfig(`aggregate_writes=${value}\nappend_to_file=${value}\ndebug=${value}\nstrict_mode_spoofing=${value}\nstrict_fields=${value}`).config;
    for (const off of ['0', 'no', 'NO', ' 0 ', 'yes', 'true', 'on', '-1', 'x1']) {
      expect(flags(off), off).toMatchObject({ aggregate_writes: false, append_to_file: false, debug: false, strict_mode_spoofing: false, strict_fields: false });
    }
    for (const on of ['1', '2', ' 1', '+3', '1yes']) {
      expect(flags(on), on).toMatchObject({ aggregate_writes: true, append_to_file: true, debug: true, strict_mode_spoofing: true, strict_fields: true });
    }
  });

  it('finds keys by substring where nsca does (my_password is the password), by whole name elsewhere', () => {
    const { config, errors } = parseNscaConfig('my_password=pw\nthe_command_file=/tmp/c\nno_append_to_file=1\ndebug_level=1');
    expect(errors).toEqual([]);
    expect(config).toMatchObject({ password: 'pw', command_file: '/tmp/c', append_to_file: true, debug: true });
    expect(parseNscaConfig('my_server_port=1\n server_port=5667').errors).toEqual(["nsca.cfg line 1: unknown option 'my_server_port'", "nsca.cfg line 2: unknown option ' server_port'"]);
  });

  it('skips comments and empty lines, and counts lines for messages; a line of blanks is an error, as in nsca', () => {
    expect(parseNscaConfig('server_port=1\n   \n', 'b.cfg').errors).toEqual(["b.cfg line 2: no value for ''"]);
    const { config, errors, warnings } = parseNscaConfig('# a comment\n\n#server_port=1\nserver_port=2000\r\n# password=x\n', 'c.cfg');
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(config.server_port).toBe(2000);
    expect(config.password).toBe('');
  });

  it('refuses a key without a value, as nsca does', () => {
    const { errors } = parseNscaConfig('server_port=5667\npassword=\ncommand_file\ndecryption_method=1', 'x.cfg');
    expect(errors).toEqual(["x.cfg line 2: no value for 'password'", "x.cfg line 3: no value for 'command_file'"]);
  });

  it('refuses numbers out of range or not numbers, and keeps the default', () => {
    const { config, errors } = parseNscaConfig('server_port=70000\ndecryption_method=27\nmax_packet_age=-1\nserver_port=abc\ndecryption_method=x');
    expect(errors).toHaveLength(5);
    expect(errors[0]).toMatch(/line 1: invalid server_port '70000'/);
    expect(errors[1]).toMatch(/line 2: invalid decryption_method '27'/);
    expect(errors[2]).toMatch(/line 3: invalid max_packet_age '-1'/);
    expect(errors[3]).toMatch(/line 4: invalid server_port 'abc'/);
    expect(config.server_port).toBe(5667);
    expect(config.decryption_method).toBe(1);
  });

  it('takes server_port=0 (a free port, as nsca binds it too)', () => {
    expect(parseNscaConfig('server_port=0')).toMatchObject({ errors: [], config: { server_port: 0 } });
  });

  it('refuses unknown keys, as nsca refuses to start', () => {
    const { errors, warnings } = parseNscaConfig('server_port=1234\nfoo=bar\nserver_prot=1\n', 'n.cfg');
    expect(warnings).toEqual([]);
    expect(errors).toEqual(["n.cfg line 2: unknown option 'foo'", "n.cfg line 3: unknown option 'server_prot'"]);
  });

  it('refuses max_packet_age above 900 s, as nsca does, and 0 disables it', () => {
    const high = parseNscaConfig('max_packet_age=901', 'a.cfg');
    expect(high.errors).toEqual(['a.cfg line 1: max_packet_age 901 is above 900 seconds, which nsca refuses']);
    expect(high.warnings).toEqual([]);
    expect(parseNscaConfig('max_packet_age=900')).toMatchObject({ warnings: [], config: { max_packet_age: 900 } });
    expect(parseNscaConfig('max_packet_age=0')).toMatchObject({ warnings: [], config: { max_packet_age: 0 } });
  });

  it('the last of a repeated key wins', () => {
    expect(parseNscaConfig('password=one\npassword=two').config.password).toBe('two');
  });

  it('reads the Debian /etc/nsca.cfg settings', () => {
    const debian = [
      '# NSCA Config File',
      'pid_file=/run/nagios/nsca.pid',
      'server_port=5667',
      '#server_address=192.168.1.1',
      'nsca_user=nagios',
      'nsca_group=nogroup',
      'debug=0',
      'command_file=/var/run/icinga2/cmd/icinga2.cmd',
      'alternate_dump_file=/run/nagios/nsca.dump',
      'aggregate_writes=0',
      'append_to_file=0',
      'max_packet_age=30',
      '#password=',
      'decryption_method=1',
      'log_facility=daemon',
      '',
    ].join('\n');
    const { config, errors, warnings } = parseNscaConfig(debian);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({ server_port: 5667, command_file: '/var/run/icinga2/cmd/icinga2.cmd', decryption_method: 1, password: '', log_facility: 'daemon' });
  });
});
