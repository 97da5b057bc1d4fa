// Every error @poets/net-server defines.

/** Base of the package's errors. */
export class NetServerError extends Error {
  override name = 'NetServerError';
}

/** A configuration that cannot be used: a conf file missing, unreadable or with a line that is no `key value`, an unknown key, a bad value. */
export class ConfigError extends NetServerError {
  override name = 'ConfigError';
}

/** A `port` (or `host`, `proto`, `ipv`) Net::Server's parser would refuse, or one Node cannot bind. */
export class PortError extends NetServerError {
  override name = 'PortError';
}

/** The pid_file names a process that is alive, or cannot be written. */
export class PidFileError extends NetServerError {
  override name = 'PidFileError';
}

/** No line came from the client within `lines({ timeout })` (Perl's `die "Timed Out!\n"` of the alarm). */
export class TimeoutError extends NetServerError {
  override name = 'TimeoutError';
}

/** A client sent a line longer than `lines({ maxLength })` allows. */
export class LineTooLongError extends NetServerError {
  override name = 'LineTooLongError';
}
