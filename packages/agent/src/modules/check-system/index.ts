// The CheckSystem module (NSClient++'s CheckSystemUnix on Linux; CheckDisk for drives): the system
// checks registered as queries, check_cpu fed by a kernel alarm in the module's session.
import { runIn, type ModuleDefinition, type Plugin } from '../../plugin.js';
import { runCheck } from '../filter/check.js';
import { CpuSampler } from './cpu-sampler.js';
import {
  cpuCheck, cpuItems, drivesizeCheck, drivesizeItems, memoryCheck, memoryItems, osVersionCheck, osVersionItems,
  pagefileCheck, pagefileItems, processCheck, processItems, uptimeCheck, uptimeItems,
} from './checks.js';

const SAMPLE = 'cpu_sample';

function registerCpu(plugin: Plugin): () => void {
  // NSClient++'s default buffer: an hour of samples, one a second.
  const seconds = Number(plugin.settings.get_string(plugin.settingsPath, 'default buffer length', '3600')) || 3600;
  const sampler = new CpuSampler(seconds);
  const kernel = plugin.kernel;
  runIn(kernel, plugin.session, () => {
    kernel.state(SAMPLE, () => {
      sampler.sample();
      kernel.delay_set(SAMPLE, 1);
    });
    sampler.sample();
    kernel.delay_set(SAMPLE, 1);
  });
  const refused = (reason: string): void => plugin.logger.log('warning', `check_cpu refused: ${reason}`);
  plugin.agent.registerQuery(plugin, 'check_cpu', (q) => runCheck(cpuCheck, q.arguments, (o) => cpuItems(sampler, o), refused), 'CPU load over time windows');
  return () => {
    sampler.release();
    runIn(kernel, plugin.session, () => {
      kernel.alarm_remove_all();
      kernel.state(SAMPLE);
    });
  };
}

function registerSystem(plugin: Plugin, withCpu: boolean): { unload(): void } {
  const refused = (name: string) => (reason: string): void => plugin.logger.log('warning', `${name} refused: ${reason}`);
  const stop = withCpu ? registerCpu(plugin) : () => undefined;
  const add = (def: { command: string }, run: (args: string[]) => ReturnType<typeof runCheck>, description: string): void =>
    plugin.agent.registerQuery(plugin, def.command, (q) => run(q.arguments), description);
  if (withCpu) {
    add(memoryCheck, (a) => runCheck(memoryCheck, a, (o) => memoryItems(o), refused('check_memory')), 'memory use');
    add(pagefileCheck, (a) => runCheck(pagefileCheck, a, () => pagefileItems(), refused('check_pagefile')), 'swap use');
    add(uptimeCheck, (a) => runCheck(uptimeCheck, a, () => uptimeItems(), refused('check_uptime')), 'time since boot');
    add(processCheck, (a) => runCheck(processCheck, a, (o) => processItems(o), refused('check_process')), 'processes');
    add(osVersionCheck, (a) => runCheck(osVersionCheck, a, () => osVersionItems(), refused('check_os_version')), 'OS version');
  } else {
    add(drivesizeCheck, (a) => runCheck(drivesizeCheck, a, (o) => drivesizeItems(o), refused('check_drivesize')), 'file system size');
  }
  return { unload: stop };
}

/** CheckSystem: check_cpu, check_memory, check_pagefile, check_uptime, check_process, check_os_version. */
export const checkSystemModule: ModuleDefinition = {
  name: 'CheckSystem',
  description: 'CPU, memory, swap, uptime, processes and OS version from /proc',
  load: (plugin) => registerSystem(plugin, true),
};

/** NSClient++'s name for the same module on Linux. */
export const checkSystemUnixModule: ModuleDefinition = { ...checkSystemModule, name: 'CheckSystemUnix' };

/** CheckDisk: check_drivesize from statfs. */
export const checkDiskModule: ModuleDefinition = {
  name: 'CheckDisk',
  description: 'File system sizes from statfs',
  load: (plugin) => registerSystem(plugin, false),
};
