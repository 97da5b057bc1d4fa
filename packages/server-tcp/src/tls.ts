import type { Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext, type TlsOptions } from 'node:tls';

/** TLS for a listener: node:tls's server options (`key`, `cert`, `ca`, `requestCert`, `ALPNProtocols`...). */
export type ServerTlsOptions = TlsOptions;

/** How long a client may take to finish its TLS handshake, when `handshakeTimeout` is not given (as node:tls). */
export const TLS_HANDSHAKE_TIMEOUT_MS = 120_000;

/** One listener's TLS setup, made once: the secure context is shared by every connection. */
export class ServerTls {
  private readonly context: SecureContext;
  private readonly options: TlsOptions;
  private readonly handshakeMs: number;

  constructor(options: ServerTlsOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('tls must be an object of node:tls server options');
    this.context = options.secureContext ?? createSecureContext(options);
    this.options = options;
    this.handshakeMs = options.handshakeTimeout ?? TLS_HANDSHAKE_TIMEOUT_MS;
  }

  /**
   * Starts the server side of TLS on an accepted socket. The handshake runs as the socket is
   * read; its failure, or its not finishing within `handshakeTimeout`, is an 'error' of the
   * returned socket, which the connection's ReadWrite wheel reports as ClientError.
   */
  wrap(socket: Socket): TLSSocket {
    const { requestCert, rejectUnauthorized, ALPNProtocols, SNICallback, enableTrace } = this.options;
    const secure = new TLSSocket(socket, {
      isServer: true,
      secureContext: this.context,
      requestCert,
      rejectUnauthorized,
      ALPNProtocols,
      SNICallback,
      enableTrace,
    });
    // An error before the wheel listens (or after it let go) must not end the process.
    secure.on('error', ignore);
    if (this.handshakeMs > 0) {
      const timer = setTimeout(() => {
        const error = Object.assign(new Error(`TLS handshake not finished within ${this.handshakeMs} ms`), { code: 'ETIMEDOUT' });
        secure.destroy(error);
      }, this.handshakeMs);
      timer.unref();
      const done = () => clearTimeout(timer);
      secure.once('secure', done);
      secure.once('close', done);
    }
    return secure;
  }
}

function ignore(): void {}
