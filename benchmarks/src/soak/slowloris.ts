/** Clients that send an HTTP/1.1 request head a byte a second, over TLS, and open another when the server cuts one. */
import { connect } from 'node:tls';

export class Slowloris {
  cut = 0;
  private stopped = false;
  private readonly sockets = new Set<ReturnType<typeof connect>>();

  constructor(
    private readonly port: number,
    count: number,
  ) {
    for (let i = 0; i < count; i++) this.open();
  }

  private open(): void {
    if (this.stopped) return;
    const socket = connect({ port: this.port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    this.sockets.add(socket);
    let timer: NodeJS.Timeout | undefined;
    socket.once('secureConnect', () => {
      socket.write('GET /soak HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      timer = setInterval(() => socket.write('x'), 1000);
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearInterval(timer);
      this.sockets.delete(socket);
      if (this.stopped) return;
      this.cut++;
      this.open();
    });
  }

  stop(): void {
    this.stopped = true;
    for (const socket of this.sockets) socket.destroy();
  }
}
