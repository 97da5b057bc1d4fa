// CheckExternalScripts with real Nagios plugins (monitoring-plugins-basic): exit code = status,
// output and perfdata split as Nagios splits them, long output kept, $ARG1$/$ARGS$, aliases,
// wrapped scripts; and the faults: a plugin that hangs (its process group killed at the
// timeout), one that floods its output (bounded), one that does not exist, nasty arguments.
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SettingsStore, parsePluginOutput, splitCommandLine, substituteArguments, status } from '@poets/agent';
import { afterAll, describe, expect, it } from 'vitest';
import { describeWithPrograms, until } from '../../../test/support/index.js';
import { makeAgent, tempDir } from './helpers.js';

const PLUGINS = '/usr/lib/nagios/plugins';

describe('plugin output as Nagios splits it', () => {
  it('first line text|perf, long output below, perfdata after a | in a later line runs to the end', () => {
    expect(parsePluginOutput('LOAD OK - load 0.1|load1=0.1;5;10;0; load5=0.2;5;10;0;\n')).toEqual({ message: 'LOAD OK - load 0.1', perf: 'load1=0.1;5;10;0; load5=0.2;5;10;0;' });
    expect(parsePluginOutput('DISK OK\n/ 10%\n/var 20%| /=10%;80;90\n/var=20%;80;90\n')).toEqual({ message: 'DISK OK\n/ 10%\n/var 20%', perf: '/=10%;80;90 /var=20%;80;90' });
    expect(parsePluginOutput('OK|a=1\nline 2\nline 3|b=2\nc=3')).toEqual({ message: 'OK\nline 2\nline 3', perf: 'a=1 b=2 c=3' });
    expect(parsePluginOutput('no perf at all\r\n\r\n')).toEqual({ message: 'no perf at all', perf: '' });
    expect(parsePluginOutput('a|b', true)).toEqual({ message: 'a|b', perf: '' });
  });

  it('command lines: quotes group, $ARGn$ and $ARGS$ keep each argument one word', () => {
    expect(splitCommandLine(`check_x -w 'a b' "c \\"d\\"" e`)).toEqual(['check_x', '-w', 'a b', 'c "d"', 'e']);
    expect(substituteArguments(['check', '-w', '$ARG1$', '-c', '$ARG2$', '$ARG3$'], ['1 2', '3'])).toEqual(['check', '-w', '1 2', '-c', '3', '']);
    expect(substituteArguments(['check', '$ARGS$', 'x=$ARGS$'], ['a', 'b'])).toEqual(['check', 'a', 'b', 'x=a b']);
  });
});

describeWithPrograms([`${PLUGINS}/check_dummy`, `${PLUGINS}/check_load`, `${PLUGINS}/check_disk`, `${PLUGINS}/check_procs`], 'CheckExternalScripts with real plugins', () => {
  const dir = tempDir();
  const write = (name: string, body: string) => {
    const file = join(dir, name);
    writeFileSync(file, body);
    chmodSync(file, 0o755);
    return file;
  };
  const pidFile = join(dir, 'grandchild.pid');
  write('hang.sh', `#!/bin/sh\nsleep 300 &\necho $! > ${pidFile}\nwait\n`);
  write('flood.sh', '#!/bin/sh\necho "FLOOD OK|x=1"\nexec yes "0123456789abcdefghijklmnopqrstuvwxyz"\n');
  write('burst.sh', '#!/bin/sh\necho "BURST OK|x=1"\nhead -c 10000000 /dev/zero | tr "\\\\000" y\nexit 0\n');
  write('long.sh', '#!/bin/sh\necho "OK - first|a=1"\necho "second line"\necho "third|b=2"\necho "c=3"\nexit 1\n');
  write('silent.sh', '#!/bin/sh\necho "oops" >&2\nexit 2\n');
  write('bad-code.sh', '#!/bin/sh\necho "weird"\nexit 7\n');
  write('wrapped.sh', 'echo "WRAPPED OK - $1 $2"\n');
  const text = `
[/modules]
CheckExternalScripts = enabled

[/settings/external scripts]
allow arguments = true
timeout = 2
max output = 4096
script root = ${dir}

[/settings/external scripts/scripts]
dummy = ${PLUGINS}/check_dummy $ARG1$ $ARG2$
load = ${PLUGINS}/check_load -w 1000,1000,1000 -c 2000,2000,2000
disk = ${PLUGINS}/check_disk -w 1% -c 1% -p /
procs = ${PLUGINS}/check_procs -w $ARG1$
hang = hang.sh
flood = ./flood.sh
burst = burst.sh
long = long.sh
silent = silent.sh
bad_code = bad-code.sh
missing = ./does-not-exist.sh
missing_in_path = no-such-plugin-anywhere

[/settings/external scripts/scripts/all_args]
command = ${PLUGINS}/check_dummy $ARGS$

[/settings/external scripts/scripts/no_perf]
command = long.sh
ignore perfdata = true

[/settings/external scripts/wrapped scripts]
wrapped = wrapped.sh $ARG1$ fixed

[/settings/external scripts/alias]
alias_dummy = dummy 1 "warned by alias $ARG1$"
alias_loop = alias_loop
`;
  const { agent, logger } = makeAgent({ settings: SettingsStore.fromText(text) });
  const started = agent.start();
  afterAll(() => agent.stop());

  it('check_dummy: the exit code is the status, the text the message', async () => {
    await started;
    expect(await agent.simple_query('dummy', ['0', 'all fine'])).toEqual([status.OK, 'OK: all fine', '']);
    expect(await agent.simple_query('dummy', ['2', 'on fire'])).toEqual([status.CRITICAL, 'CRITICAL: on fire', '']);
    expect(await agent.simple_query('all_args', ['1', 'two words'])).toEqual([status.WARNING, 'WARNING: two words', '']);
  });

  it('check_load, check_disk, check_procs: the same text and perfdata as run by hand', async () => {
    await started;
    const [code, message, perf] = await agent.simple_query('load');
    expect(code).toBe(status.OK);
    expect(message).toMatch(/^LOAD OK - total load average: /);
    expect(perf).toMatch(/^load1=[\d.]+;1000\.000;2000\.000;0; load5=/);
    const [dcode, dmessage, dperf] = await agent.simple_query('disk');
    const byHand = execFileSync(`${PLUGINS}/check_disk`, ['-w', '1%', '-c', '1%', '-p', '/'], { encoding: 'utf8' }).trim();
    expect([0, 1, 2]).toContain(dcode);
    expect(dmessage).toBe(byHand.split('|')[0]!.trim());
    expect(dperf.split('=')[0]).toBe(byHand.split('|')[1]!.trim().split('=')[0]);
    const [pcode, pmessage, pperf] = await agent.simple_query('procs', ['100000']);
    expect(pcode).toBe(status.OK);
    expect(pmessage).toMatch(/^PROCS OK: \d+ processes/);
    expect(pperf).toMatch(/^procs=\d+;100000;;0;$/);
  });

  it('long output is kept below the first line; perfdata from every line', async () => {
    await started;
    expect(await agent.simple_query('long')).toEqual([status.WARNING, 'OK - first\nsecond line\nthird', 'a=1 b=2 c=3']);
    expect(await agent.simple_query('no_perf')).toEqual([status.WARNING, 'OK - first|a=1\nsecond line\nthird|b=2\nc=3', '']);
  });

  it('wrapped scripts run through the wrapping of their extension; aliases substitute $ARG1$', async () => {
    await started;
    expect(await agent.simple_query('wrapped', ['one'])).toEqual([status.OK, 'WRAPPED OK - one fixed', '']);
    expect(await agent.simple_query('alias_dummy', ['A'])).toEqual([status.WARNING, 'WARNING: warned by alias A', '']);
    expect(logger.text()).toMatch(/alias alias_loop: refused, it loops/);
    expect((await agent.simple_query('alias_loop'))[1]).toMatch(/Unknown command/);
  });

  it('a plugin that hangs: UNKNOWN at the timeout, its whole process group killed', async () => {
    await started;
    const [code, message] = await agent.simple_query('hang');
    expect(code).toBe(status.UNKNOWN);
    expect(message).toMatch(/^Command hang timed out after 2 seconds \(process group \d+ killed\)$/);
    const grandchild = Number(execFileSync('cat', [pidFile], { encoding: 'utf8' }).trim());
    // gone, or a zombie waiting for a reaper that is not ours (PID 1 in a container may not reap)
    await until(() => {
      try {
        return readFileSync(`/proc/${grandchild}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
      } catch {
        return true;
      }
    }, 5000);
    expect(logger.text()).toMatch(/error .*Command hang timed out/);
    // the agent keeps serving
    expect((await agent.simple_query('dummy', ['0', 'after']))[0]).toBe(status.OK);
  });

  it('a plugin that floods its output: kept up to max output, killed at the timeout, the agent unharmed', async () => {
    await started;
    const [code, message] = await agent.simple_query('flood');
    expect(code).toBe(status.UNKNOWN);
    expect(message).toMatch(/timed out/);
    const [bcode, bmessage, bperf] = await agent.simple_query('burst');
    expect(bcode).toBe(status.OK);
    expect(bperf).toBe('x=1');
    expect(bmessage.length).toBeLessThan(4200);
    expect(bmessage).toMatch(/^BURST OK\ny+\n\(output truncated at 4096 bytes\)$/);
    expect(logger.text()).toMatch(/warning .*burst: output longer than 4096 bytes/);
    expect((await agent.simple_query('dummy', ['0', 'after']))[0]).toBe(status.OK);
  });

  it('a plugin that does not exist, one that says nothing, one with a code above 3: UNKNOWN with the reason', async () => {
    await started;
    expect(await agent.simple_query('missing')).toEqual([status.UNKNOWN, `Script not found or not executable: ${join(dir, 'does-not-exist.sh')}`, '']);
    const [c2, m2] = await agent.simple_query('missing_in_path');
    expect(c2).toBe(status.UNKNOWN);
    expect(m2).toMatch(/^The command \(missing_in_path\) returned an invalid return code: 127 \(.*not found.*\)$/);
    expect(await agent.simple_query('silent')).toEqual([status.CRITICAL, 'No output available from command (silent). stderr: oops', '']);
    expect(await agent.simple_query('bad_code')).toEqual([status.UNKNOWN, 'The command (bad_code) returned an invalid return code: 7 (weird)', '']);
  });

  it('nasty characters in arguments are refused and logged; others are still served', async () => {
    await started;
    for (const arg of ['0;ls', '0 `id`', '$(id)|x', "a'b", 'x > /tmp/y']) {
      const [code, message] = await agent.simple_query('dummy', ['0', arg]);
      if (/[|`&><'"\\[\]{}]/.test(arg)) {
        expect(code).toBe(status.UNKNOWN);
        expect(message).toMatch(/^Request contained illegal characters/);
      } else {
        // `;` and `$(...)` are not nasty to NSClient++, and no shell ever sees them here
        expect(message).toBe(`OK: ${arg}`);
      }
    }
    expect(logger.text()).toMatch(/error .*dummy: Request contained illegal characters \(`\)/);
  });
});

describeWithPrograms([`${PLUGINS}/check_dummy`], 'CheckExternalScripts without allow arguments', () => {
  const { agent, logger } = makeAgent({
    settings: SettingsStore.fromText(`[/modules]\nCheckExternalScripts = enabled\n[/settings/external scripts/scripts]\nfixed = ${PLUGINS}/check_dummy 1 fixed\n`),
  });
  const started = agent.start();
  afterAll(() => agent.stop());

  it('runs the configured command, refuses arguments with the reason', async () => {
    await started;
    expect(await agent.simple_query('fixed')).toEqual([status.WARNING, 'WARNING: fixed', '']);
    const [code, message] = await agent.simple_query('fixed', ['2']);
    expect(code).toBe(status.UNKNOWN);
    expect(message).toMatch(/Arguments are not allowed/);
    expect(logger.text()).toMatch(/error .*fixed: Arguments are not allowed/);
  });
});
