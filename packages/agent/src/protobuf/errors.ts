// Every error the protobuf layer raises. (At merge these fold into the package's errors.ts.)

/**
 * Bytes handed to a `decode*` function (or a raw call) are not the message it expects: truncated,
 * malformed, a field this schema does not have, a field with the wire type of another type, or a
 * string that is not UTF-8. `messageType` is the full protobuf name expected
 * (`PB.Commands.QueryRequestMessage`), `reason` says what was wrong and where.
 */
export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
  readonly messageType: string;
  readonly reason: string;

  constructor(messageType: string, reason: string) {
    super(`not a valid ${messageType}: ${reason}`);
    this.messageType = messageType;
    this.reason = reason;
  }
}
