// Every error @poets/agent defines.

/** The base of the agent's errors. */
export class AgentError extends Error {
  override name = 'AgentError';
}

/** A settings file that does not parse: names the file, the line and the reason. Nothing is overwritten. */
export class SettingsParseError extends AgentError {
  override name = 'SettingsParseError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

/** A settings save that could not write its file (read-only file or directory, disk full): the old file is left whole. */
export class SettingsSaveError extends AgentError {
  override name = 'SettingsSaveError';
  constructor(
    readonly file: string,
    override readonly cause: unknown,
  ) {
    super(`Failed to save settings to ${file}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** A module that cannot be loaded or unloaded (unknown name, alias in use, its load threw). */
export class ModuleError extends AgentError {
  override name = 'ModuleError';
}

/** A script that cannot be loaded: missing file, syntax error, or its module code threw. */
export class ScriptError extends AgentError {
  override name = 'ScriptError';
  constructor(
    readonly script: string,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

// Bytes that are not the protobuf message a raw call takes: raised by the protobuf layer.
export { ProtobufDecodeError } from './protobuf/errors.js';

/** A submission a channel module could not deliver (queue full, not stored, module unloading): the reason is the caller's answer. */
export class SubmissionError extends AgentError {
  override name = 'SubmissionError';
}

/** A check's argument or filter/threshold expression that the engine does not accept (the reason names the part). */
export class FilterError extends AgentError {
  override name = 'FilterError';
}

/** A WEBServer user or role that cannot be used as configured (a malformed password hash): names the setting. */
export class WebAuthSettingsError extends AgentError {
  override name = 'WebAuthSettingsError';
}
