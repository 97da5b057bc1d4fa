// Net::Server::Daemonize's check_pid_file / create_pid_file: one server per pid file.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { PidFileError } from './errors.js';

/** Whether a process with this pid exists (EPERM: it exists, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Refuses while the pid in `file` is a live process other than this one; a stale file (its
 * process gone, or no pid in it) is removed. Returns what was found, for the log.
 */
export function check_pid_file(file: string, takeoverFrom?: number): 'none' | 'stale' | 'taken over' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw new PidFileError(`pid_file "${file}" cannot be read [${(error as NodeJS.ErrnoException).code}]`);
  }
  const pid = /^\s*(\d+)/.exec(text)?.[1];
  if (takeoverFrom !== undefined && Number(pid) === takeoverFrom) return 'taken over';
  if (pid !== undefined && Number(pid) !== process.pid && alive(Number(pid))) {
    throw new PidFileError(`pid_file "${file}" already exists for running process (${pid})... aborting`);
  }
  try {
    unlinkSync(file);
  } catch {
    // gone in between
  }
  return 'stale';
}

/**
 * Writes this process's pid to `file`, refusing one that appeared since the check; `overwrite`
 * (a restart taking the file over from the process that handed it its sockets) rewrites it in place.
 */
export function create_pid_file(file: string, overwrite = false): void {
  try {
    writeFileSync(file, `${process.pid}\n`, { flag: overwrite ? 'w' : 'wx' });
  } catch (error) {
    throw new PidFileError(`pid_file "${file}" cannot be created [${(error as NodeJS.ErrnoException).code}]`);
  }
}

/** Removes the pid file if it still holds this process's pid. */
export function remove_pid_file(file: string): boolean {
  try {
    if (readFileSync(file, 'utf8').trim() !== String(process.pid)) return false;
    unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}
