// The public surface of @poets/agent.
export { Agent, currentAgent, type AgentOptions, type AgentResult } from './agent.js';
export { AgentCounters, type NSCAClientCounters, type ServerCounters } from './agent-counters.js';
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
export { AgentError, FilterError, ModuleError, ProtobufDecodeError, ScriptError, SettingsParseError, SettingsSaveError, SubmissionError, WebAuthSettingsError } from './errors.js';
export { normalizePath, parseIni, serializeIni, type IniDocument, type IniLine } from './ini.js';
// NSClient++'s protobuf messages, for raw calls (what a Python script imports as plugin_pb2).
export {
  DataType,
  EventMessageSchema,
  ExecuteRequestMessageSchema,
  ExecuteResponseMessageSchema,
  ItemType,
  QueryRequestMessageSchema,
  QueryResponseMessageSchema,
  RegistryCommand,
  RegistryRequestMessageSchema,
  RegistryResponseMessageSchema,
  ResultCode,
  Result_StatusCodeType,
  SettingsChangeType,
  SettingsCommand,
  SettingsRequestMessageSchema,
  SettingsResponseMessageSchema,
  SubmitRequestMessageSchema,
  SubmitResponseMessageSchema,
  decodeEventMessage,
  decodeExecuteRequestMessage,
  decodeExecuteResponseMessage,
  decodeQueryRequestMessage,
  decodeQueryResponseMessage,
  decodeRegistryRequestMessage,
  decodeRegistryResponseMessage,
  decodeSettingsRequestMessage,
  decodeSettingsResponseMessage,
  decodeStrict,
  decodeSubmitRequestMessage,
  decodeSubmitResponseMessage,
  encodeEventMessage,
  encodeExecuteRequestMessage,
  encodeExecuteResponseMessage,
  encodeQueryRequestMessage,
  encodeQueryResponseMessage,
  encodeRegistryRequestMessage,
  encodeRegistryResponseMessage,
  encodeSettingsRequestMessage,
  encodeSettingsResponseMessage,
  encodeSubmitRequestMessage,
  encodeSubmitResponseMessage,
  eventFromWire,
  eventToWire,
  execRequestFromMessage,
  execRequestFromWire,
  execRequestToWire,
  execResponseFromMessage,
  execResponseFromWire,
  execResponseToWire,
  formatPerfNumber,
  headerFromWire,
  headerToWire,
  isThresholdRange,
  parsePerfData,
  perfFromWire,
  perfNumber,
  perfToWire,
  queryRequestFromMessage,
  queryRequestFromWire,
  queryRequestToWire,
  queryResponseFromMessage,
  queryResponseFromWire,
  queryResponseToWire,
  queryResultFromWire,
  queryResultToWire,
  renderPerfData,
  resultStatusFromWire,
  resultStatusToWire,
  simpleEvent,
  simpleExecRequest,
  simpleExecResponse,
  simpleExecResult,
  simpleQueryRequest,
  simpleQueryResponse,
  simpleQueryResult,
  simpleSubmitRequest,
  simpleSubmitResponse,
  simpleSubmitResult,
  submitRequestFromMessage,
  submitRequestFromWire,
  submitRequestToWire,
  submitResponseFromMessage,
  submitResponseFromWire,
  submitResponseToWire,
  unknownExecResult,
  unknownQueryResult,
  type EmptyPerf,
  type EventBatch,
  type EventItem,
  type EventMessage,
  type ExecRequest,
  type ExecResponse,
  type ExecuteRequestMessage,
  type ExecuteResponseMessage,
  type FloatPerf,
  type Header,
  type HeaderFields,
  type Host,
  type HostFields,
  type KeyValue,
  type Perf,
  type PerformanceData,
  type QueryLine,
  type QueryRequest,
  type QueryRequestMessage,
  type QueryResponse,
  type QueryResponseMessage,
  type RegistryRequestMessage,
  type RegistryResponseMessage,
  type Result,
  type ResultStatus,
  type SettingsRequestMessage,
  type SettingsResponseMessage,
  type StringPerf,
  type SubmitRequest,
  type SubmitRequestMessage,
  type SubmitResponse,
  type SubmitResponseMessage,
  type ExecCommand as WireExecCommand,
  type ExecResult as WireExecResult,
  type QueryCommand as WireQueryCommand,
  type QueryResult as WireQueryResult,
  type Status,
  type SubmitResult as WireSubmitResult,
} from './protobuf/index.js';
export { HandlerFailure, Plugin, type ModuleDefinition, type ModuleInstance } from './plugin.js';
export type { RawCmdlineFunction, RawEventFunction, RawQueryFunction, RawSubscriptionFunction } from './raw.js';
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
export {
  NATSClient,
  natsClientModule,
  readNATSClientSettings,
  checkResultOf,
  expandHostname,
  parseServers,
  type NATSClientSettings,
  type NATSClientStats,
} from './nats-client.js';
export {
  NSCAClient,
  NSCATarget,
  nscaCheckOf,
  nscaClientModule,
  parseAddress,
  readNSCAClientSettings,
  type NSCAClientSettings,
  type NSCATargetSettings,
  type NSCATargetStats,
} from './modules/nsca-client/index.js';
export { NSCAServer, nscaServerModule, resolveAllowedHosts, readNSCAServerSettings, submissionOf, type NSCAServerSettings } from './modules/nsca-server/index.js';
export { ENCRYPTION_NAMES, parseEncryption, parsePayloadLength } from './modules/nsca-settings.js';
export {
  CheckExternalScripts,
  checkExternalScriptsModule,
  readExternalScriptsSettings,
  readScriptDefinitions,
  type ExternalScriptsSettings,
  type ExternalScriptsStats,
  type ScriptAlias,
  type ScriptCommand,
} from './modules/external-scripts/external-scripts.js';
export { parsePluginOutput, type PluginOutput } from './modules/external-scripts/plugin-output.js';
export { NASTY_CHARACTERS, splitCommandLine, substituteArguments, wrapCommand } from './modules/external-scripts/command-line.js';
export { Scheduler, schedulerModule, type ScheduleState, type SchedulerStats } from './modules/scheduler/scheduler.js';
export { parseInterval, parseRandomness, parseReport, readSchedules, type Schedule } from './modules/scheduler/schedule-settings.js';
export { NRPEServer, nrpeServerModule, argumentRefusal, NRPE_HELLO_COMMAND, ANONYMOUS_DH_CIPHERS, type NRPEServerStats } from './modules/nrpe-server/server.js';
export { readNRPEServerSettings, NRPE_SERVER_PATH, type NRPEServerSettings } from './modules/nrpe-server/settings.js';
export { parseAllowedHosts } from './modules/allowed-hosts.js';
export {
  parsePacket,
  encodePacket,
  encodeResponse,
  splitQuery,
  packetCrc,
  QUERY_PACKET,
  RESPONSE_PACKET,
  type NRPEPacket,
  type PacketRefusal,
  type PacketVersion,
  type ParseOutcome,
} from './modules/nrpe-server/packet.js';
export { checkDiskModule, checkSystemModule, checkSystemUnixModule } from './modules/check-system/index.js';
export { evaluateCheck, parseArguments, renderSyntax, runCheck, type CheckDefinition, type ParsedArguments } from './modules/filter/check.js';
export { evaluate, parseExpression, type Expr, type Keyword, type KeywordKind, type KeywordTable } from './modules/filter/expression.js';
export { checkLogFileModule } from './modules/check-logfile/index.js';
export { checkSnmpModule } from './modules/check-snmp/index.js';
// The live status page (mounted by the WEBServer module, or any node:http server).
export { createStatusPage, type StatusPage, type StatusPageOptions, type StatusPageRoute } from './modules/status-page/status-page.js';
export { LogRing, type LogLine } from './modules/status-page/log-ring.js';
export type { CheckState, Delta, ModuleState, SecondSample, Snapshot } from './modules/status-page/feed.js';
// The WEBServer module: NSClient++'s REST API v1, /metrics, and the route table the page mounts on.
export { WEBServer, webServerModule, webServerOf, readWEBServerSettings, restQueryResult, hostAllowed, sendJson, type RouteHandler, type WEBServerInstance, type WEBServerSettings } from './modules/web-server/web-server.js';
export { AgentMetrics, metricName } from './modules/web-server/metrics.js';
export { WebAuth, readWebAuthSettings, parsePasswordHash, type AuthOutcome, type WebAuthSettings, type WebUser } from './modules/web-server/auth.js';
export { DEFAULT_ROLES, RoleTable, parseRules, ruleAllows } from './modules/web-server/roles.js';
export { TokenStore, randomToken, type TokenStoreOptions } from './modules/web-server/tokens.js';
export { AuthRateLimiter, type RateLimitOptions } from './modules/web-server/rate-limit.js';
export { logDate } from './modules/web-server/rest-logs.js';
export { safeScriptName } from './modules/web-server/rest-scripts.js';
export { consoleModule, consoleOf, type ConsoleInstance } from './modules/console/console.js';
export { CONSOLE_HELP, runConsoleLine } from './modules/console/commands.js';
