// The public surface of @poets/agent.
export { Agent, currentAgent, type AgentOptions } from './agent.js';
export {
  bindApi,
  Core,
  log,
  log_debug,
  log_error,
  Registry,
  Settings,
  sleep,
  type ApiOwner,
  type EventFunction,
  type FetchMetricsFunction,
  type ScriptApi,
  type SimpleCmdlineFunction,
  type SimpleQueryFunction,
  type SimpleQueryReturn,
  type SimpleSubscriptionFunction,
  type SubmitMetricsFunction,
} from './api.js';
export { AgentError, ModuleError, RawMessageError, ScriptError, SettingsParseError, SettingsSaveError } from './errors.js';
export { normalizePath, parseIni, serializeIni, type IniDocument, type IniLine } from './ini.js';
export { HandlerFailure, Plugin, type ModuleDefinition, type ModuleInstance } from './plugin.js';
export type { Registrant } from './registry.js';
export type {
  EventHandler,
  ExecCommand,
  ExecHandler,
  ExecResult,
  MaybePromise,
  MetricsFetcher,
  MetricsSubmitter,
  QueryCommand,
  QueryHandler,
  QueryResult,
  Submission,
  SubmissionHandler,
  SubmitResult,
} from './requests.js';
export { ScriptHost, scriptHostModule, scriptHostOf, type LoadedScript } from './script-host.js';
export { loadScript, SCRIPT_EXTENSIONS, transpileScript, type ScriptExports } from './script-loader.js';
export { SettingsStore, type KeyDescription, type PathDescription } from './settings.js';
export { status, statusName, type StatusCode } from './status.js';
