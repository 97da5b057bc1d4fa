export type { BlockCipher, CipherSpec } from './ciphers/block-cipher.js';
export { Cfb8 } from './ciphers/cfb8.js';

// Codec: packet layout, encoder/decoder, connection decoder.
export {
  NSCA_PORT,
  IV_SIZE,
  INIT_PACKET_SIZE,
  PACKET_VERSION,
  PACKET_SIZE,
  LEGACY_PACKET_SIZE,
  OFFSET,
  FIELD_SIZE,
  MAX_HOST_NAME,
  MAX_SVC_DESCRIPTION,
  MAX_PLUGIN_OUTPUT,
  MAX_LEGACY_PLUGIN_OUTPUT,
} from './codec/constants.js';
export { packetCrc32 } from './codec/crc32.js';
export { decodeText, isWellFormedUtf8 } from './codec/strings.js';
export {
  decodePacket,
  encodePacket,
  type DecodePacketOptions,
  type EncodePacketOptions,
  type Filler,
  type NscaPacket,
  type NscaRawStrings,
  type PacketAccepted,
  type PacketFields,
  type PacketRefused,
  type PacketResult,
  type RefusalReason,
} from './codec/packet.js';
export {
  NscaDecoder,
  decodeConnection,
  type ConnectionDecodeOptions,
  type DecodeResult,
  type DecoderOptions,
  type ResultPosition,
} from './codec/decoder.js';

// Ciphers: the method registry and per-connection streams.
export type { CryptStream } from './ciphers/crypt-stream.js';
export { hasNativeCfb8, type NativeCfb8, type NativeCfb8Spec } from './ciphers/native-cfb8.js';
export {
  NSCA_METHODS,
  CIPHER_SPECS,
  createCryptStream,
  cipherSpec,
  isSupportedMethod,
  methodInfo,
  missingMethods,
  supportedMethods,
  type CryptStreamOptions,
  type MethodInfo,
  type MethodStatus,
} from './ciphers/methods.js';
export { mcryptKey, mcryptIv, BlockCfb8Stream, NativeCfb8Stream } from './ciphers/mcrypt-stream.js';
export { NoneStream } from './ciphers/none.js';
export { XorStream } from './ciphers/xor.js';
export { des, tripledes } from './ciphers/des.js';
export { Blowfish, blowfish } from './ciphers/blowfish.js';
export { Twofish, twofish } from './ciphers/twofish.js';
export { Rijndael, rijndael128, rijndael192, rijndael256 } from './ciphers/rijndael.js';

// The server component.
export { ServerNSCA, type NSCAActivity, type NSCARefusal, type ServerNSCAOptions, type ServerNSCASettings } from './server/server-nsca.js';
export type { NSCAResult } from './server/result.js';
export { AccessList } from './server/access.js';

// The nsca daemon.
export { Nscad, DEFAULT_CONFIG, type NscadOptions } from './daemon/nscad.js';
export { parseNscaConfig, defaultConfig, type NscadConfig, type ParsedConfig } from './daemon/config.js';
export { commandLine } from './daemon/command-line.js';
export { CommandFile, type CommandFileOptions } from './daemon/command-file.js';

// The client component (POE::Component::Client::NSCA) and its Promise helpers.
export { ClientNSCA, type ClientNSCAOptions, type ClientNSCAOneShotOptions } from './client/client-nsca.js';
export type { ClientNSCARequest } from './client/request.js';
export { checkProblem, type NscaCheck } from './client/check.js';
export { parseInitPacket, encodeInitPacket, type InitPacket } from './client/init-packet.js';
export type { ClientNSCAResult, ClientNSCASuccess, ClientNSCAFailure } from './client/result.js';
export { sendChecks, sendCheck, type SendChecksOptions } from './client/send-checks.js';

// poets-send-nsca: send_nsca 2.10's command line, config file and input, as pure functions.
export { runSendNsca, KILLED_BY_SIGPIPE, type SendNscaIO } from './cli/send-nsca-main.js';
export { parseSendNscaArgs, connectPort, type SendNscaArgs, type ParsedSendNscaArgs } from './cli/send-nsca-args.js';
export {
  parseSendNscaConfig,
  readSendNscaConfig,
  isConfigurableMethod,
  DEFAULT_SEND_NSCA_CONFIG,
  type SendNscaConfig,
  type SendNscaConfigResult,
} from './cli/send-nsca-config.js';
export { parseSet, type InputCheck, type ParseSetOptions } from './cli/send-nsca-input.js';
export { FilterNscaSets, splitSets, MAX_SET_BYTES, ETB, type SetFilterOptions, type SplitSets } from './cli/send-nsca-sets.js';

// Every error the package defines.
export { ConfigError, ListenError, OutputError, UnsupportedMethodError, NscaSendError } from './errors.js';
