// encode*/decode* for each NSClient++ message a raw call carries. decode* throws
// ProtobufDecodeError for bytes that are not that message; encode* takes a message or the plain
// init object @bufbuild/protobuf's create() takes (camelCase field names, everything optional).
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import {
  EventMessageSchema,
  ExecuteRequestMessageSchema,
  ExecuteResponseMessageSchema,
  QueryRequestMessageSchema,
  QueryResponseMessageSchema,
  SubmitRequestMessageSchema,
  SubmitResponseMessageSchema,
} from './gen/plugin_pb.js';
import type {
  EventMessage,
  ExecuteRequestMessage,
  ExecuteResponseMessage,
  QueryRequestMessage,
  QueryResponseMessage,
  SubmitRequestMessage,
  SubmitResponseMessage,
} from './gen/plugin_pb.js';
import { RegistryRequestMessageSchema, RegistryResponseMessageSchema } from './gen/registry_pb.js';
import type { RegistryRequestMessage, RegistryResponseMessage } from './gen/registry_pb.js';
import { SettingsRequestMessageSchema, SettingsResponseMessageSchema } from './gen/settings_pb.js';
import type { SettingsRequestMessage, SettingsResponseMessage } from './gen/settings_pb.js';
import { decodeStrict, encode } from './wire.js';

type Init<S extends DescMessage> = MessageInitShape<S>;

export const encodeQueryRequestMessage = (m: Init<typeof QueryRequestMessageSchema>): Uint8Array => encode(QueryRequestMessageSchema, m);
export const decodeQueryRequestMessage = (b: Uint8Array): QueryRequestMessage => decodeStrict(QueryRequestMessageSchema, b);

export const encodeQueryResponseMessage = (m: Init<typeof QueryResponseMessageSchema>): Uint8Array => encode(QueryResponseMessageSchema, m);
export const decodeQueryResponseMessage = (b: Uint8Array): QueryResponseMessage => decodeStrict(QueryResponseMessageSchema, b);

export const encodeSubmitRequestMessage = (m: Init<typeof SubmitRequestMessageSchema>): Uint8Array => encode(SubmitRequestMessageSchema, m);
export const decodeSubmitRequestMessage = (b: Uint8Array): SubmitRequestMessage => decodeStrict(SubmitRequestMessageSchema, b);

export const encodeSubmitResponseMessage = (m: Init<typeof SubmitResponseMessageSchema>): Uint8Array => encode(SubmitResponseMessageSchema, m);
export const decodeSubmitResponseMessage = (b: Uint8Array): SubmitResponseMessage => decodeStrict(SubmitResponseMessageSchema, b);

export const encodeExecuteRequestMessage = (m: Init<typeof ExecuteRequestMessageSchema>): Uint8Array => encode(ExecuteRequestMessageSchema, m);
export const decodeExecuteRequestMessage = (b: Uint8Array): ExecuteRequestMessage => decodeStrict(ExecuteRequestMessageSchema, b);

export const encodeExecuteResponseMessage = (m: Init<typeof ExecuteResponseMessageSchema>): Uint8Array => encode(ExecuteResponseMessageSchema, m);
export const decodeExecuteResponseMessage = (b: Uint8Array): ExecuteResponseMessage => decodeStrict(ExecuteResponseMessageSchema, b);

export const encodeSettingsRequestMessage = (m: Init<typeof SettingsRequestMessageSchema>): Uint8Array => encode(SettingsRequestMessageSchema, m);
export const decodeSettingsRequestMessage = (b: Uint8Array): SettingsRequestMessage => decodeStrict(SettingsRequestMessageSchema, b);

export const encodeSettingsResponseMessage = (m: Init<typeof SettingsResponseMessageSchema>): Uint8Array => encode(SettingsResponseMessageSchema, m);
export const decodeSettingsResponseMessage = (b: Uint8Array): SettingsResponseMessage => decodeStrict(SettingsResponseMessageSchema, b);

export const encodeRegistryRequestMessage = (m: Init<typeof RegistryRequestMessageSchema>): Uint8Array => encode(RegistryRequestMessageSchema, m);
export const decodeRegistryRequestMessage = (b: Uint8Array): RegistryRequestMessage => decodeStrict(RegistryRequestMessageSchema, b);

export const encodeRegistryResponseMessage = (m: Init<typeof RegistryResponseMessageSchema>): Uint8Array => encode(RegistryResponseMessageSchema, m);
export const decodeRegistryResponseMessage = (b: Uint8Array): RegistryResponseMessage => decodeStrict(RegistryResponseMessageSchema, b);

export const encodeEventMessage = (m: Init<typeof EventMessageSchema>): Uint8Array => encode(EventMessageSchema, m);
export const decodeEventMessage = (b: Uint8Array): EventMessage => decodeStrict(EventMessageSchema, b);
