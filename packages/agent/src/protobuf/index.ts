// The protobuf layer of @poets/agent: NSClient++'s plugin messages on the wire (@bufbuild/protobuf,
// code generated from proto/ by `npm run generate:protobuf`), strict decoding, the plain shapes
// the core uses, and Nagios perfdata text as NSClient++ parses and renders it.

export { ProtobufDecodeError } from './errors.js';

export type {
  EmptyPerf,
  EventBatch,
  EventItem,
  ExecCommand,
  ExecRequest,
  ExecResponse,
  ExecResult,
  FloatPerf,
  HeaderFields,
  HostFields,
  Perf,
  QueryCommand,
  QueryLine,
  QueryRequest,
  QueryResponse,
  QueryResult,
  ResultStatus,
  Status,
  StringPerf,
  SubmitRequest,
  SubmitResponse,
  SubmitResult,
} from './types.js';

export { formatPerfNumber, isThresholdRange, parsePerfData, perfNumber, renderPerfData } from './perfdata.js';
export { perfFromWire, perfToWire } from './perf.js';
export { headerFromWire, headerToWire, toStatus } from './header.js';

export {
  queryRequestFromMessage,
  queryRequestFromWire,
  queryRequestToWire,
  queryResponseFromMessage,
  queryResponseFromWire,
  queryResponseToWire,
  queryResultFromWire,
  queryResultToWire,
  simpleQueryRequest,
  simpleQueryResponse,
  simpleQueryResult,
  unknownQueryResult,
} from './query.js';
export {
  resultStatusFromWire,
  resultStatusToWire,
  simpleSubmitRequest,
  simpleSubmitResponse,
  simpleSubmitResult,
  submitRequestFromMessage,
  submitRequestFromWire,
  submitRequestToWire,
  submitResponseFromMessage,
  submitResponseFromWire,
  submitResponseToWire,
} from './submit.js';
export {
  execRequestFromMessage,
  execRequestFromWire,
  execRequestToWire,
  execResponseFromMessage,
  execResponseFromWire,
  execResponseToWire,
  simpleExecRequest,
  simpleExecResponse,
  simpleExecResult,
  unknownExecResult,
} from './exec.js';
export { eventFromWire, eventToWire, simpleEvent } from './event.js';

export {
  decodeEventMessage,
  decodeExecuteRequestMessage,
  decodeExecuteResponseMessage,
  decodeQueryRequestMessage,
  decodeQueryResponseMessage,
  decodeRegistryRequestMessage,
  decodeRegistryResponseMessage,
  decodeSettingsRequestMessage,
  decodeSettingsResponseMessage,
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
} from './messages.js';
export { decodeStrict } from './wire.js';

// The wire messages under NSClient++'s names (what plugin_pb2 calls them), their schemas for
// @bufbuild/protobuf's create()/toBinary(), and the enums. Registry's and Settings' `Command`
// enums are renamed apart.
export { DataType, ResultCode, Result_StatusCodeType } from './gen/common_pb.js';
export type { Header, Host, KeyValue, PerformanceData, Result } from './gen/common_pb.js';
export {
  EventMessageSchema,
  ExecuteRequestMessageSchema,
  ExecuteResponseMessageSchema,
  QueryRequestMessageSchema,
  QueryResponseMessageSchema,
  SubmitRequestMessageSchema,
  SubmitResponseMessageSchema,
} from './gen/plugin_pb.js';
export type {
  EventMessage,
  ExecuteRequestMessage,
  ExecuteResponseMessage,
  QueryRequestMessage,
  QueryResponseMessage,
  SubmitRequestMessage,
  SubmitResponseMessage,
} from './gen/plugin_pb.js';
export { Command as RegistryCommand, ItemType, RegistryRequestMessageSchema, RegistryResponseMessageSchema } from './gen/registry_pb.js';
export type { RegistryRequestMessage, RegistryResponseMessage } from './gen/registry_pb.js';
export {
  Command as SettingsCommand,
  SettingsRequestMessageSchema,
  SettingsResponseMessage_Response_Diff_ChangeType as SettingsChangeType,
  SettingsResponseMessageSchema,
} from './gen/settings_pb.js';
export type { SettingsRequestMessage, SettingsResponseMessage } from './gen/settings_pb.js';
