// The public surface of @poets/ikc.
export { IKC, type IKCOptions, type PostTarget, type RSVP } from './responder.js';
export { specifier_parse, specifier_name, type Specifier, type SpecifierLike } from './specifier.js';
export { jsonCodec, v8Codec, type Codec } from './codec.js';
export { Subjects, subjectToken, kernelPermissions, type KernelPermissions } from './subjects.js';
export type { DurableOptions, ParkedMessage } from './durable.js';
export type { MonitorCallbacks, MonitorEvent, MonitorOp } from './monitor.js';
export { NagiosConsumer, publishCheckResult, ensureCheckStream, checkResultProblem, type CheckResult, type CheckStreamOptions, type NagiosConsumerOptions } from './nagios.js';
export { IKCError, SpecifierError, CodecError, type IKCErrorCode } from './errors.js';
