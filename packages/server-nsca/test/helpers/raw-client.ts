import { connect, type Socket } from 'node:net';
import { createCryptStream } from '../../src/ciphers/methods.js';
import { INIT_PACKET_SIZE, IV_SIZE } from '../../src/codec/constants.js';
import { encodePacket, type PacketFields } from '../../src/codec/packet.js';

/** A test client speaking NSCA over a plain socket: it reads the init packet, then sends what it is told. */
export class RawClient {
  readonly socket: Socket;
  iv: Buffer = Buffer.alloc(0);
  timestamp = 0;
  private crypt: ReturnType<typeof createCryptStream> | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('error', () => {});
  }

  /** Connects and waits for the init packet. */
  static async open(port: number, method: number, password: string | Uint8Array, host = '127.0.0.1'): Promise<RawClient> {
    const socket = connect(port, host);
    const client = new RawClient(socket);
    const init = await new Promise<Buffer>((resolve, reject) => {
      let got = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        got = Buffer.concat([got, chunk]);
        if (got.length >= INIT_PACKET_SIZE) {
          socket.off('data', onData);
          resolve(got);
        }
      };
      socket.on('data', onData);
      socket.once('close', () => reject(new Error('closed before the init packet')));
    });
    client.iv = init.subarray(0, IV_SIZE);
    client.timestamp = init.readUInt32BE(IV_SIZE);
    client.crypt = createCryptStream(method, password, client.iv);
    return client;
  }

  /** One encrypted packet for `fields` (timestamp: the init packet's, as send_nsca). */
  packet(fields: Omit<PacketFields, 'timestamp'> & { timestamp?: number }, options: { legacy?: boolean; version?: number } = {}): Buffer {
    const plain = Buffer.from(encodePacket({ timestamp: this.timestamp, ...fields }, options));
    this.crypt!.encrypt(plain, 0);
    return plain;
  }

  send(...packets: Buffer[]): void {
    this.socket.write(Buffer.concat(packets));
  }

  /** Ends the connection and waits until the server has closed its side. */
  async finish(): Promise<void> {
    this.socket.end();
    await closed(this.socket);
  }
}

export function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}
