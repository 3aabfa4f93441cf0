/**
 * The syslog listener: UDP, TCP and TLS (RFC 6587 octet counting or newline framing, told
 * apart per connection), RFC 3164 and 5424 messages from ESXi, Linux hosts and network
 * devices. Messages are written to the ingest journal (durable before anything else happens
 * to them) in small batches, with the sender's address as the host of messages that name none.
 * Over TCP a full journal pauses reading from the socket (the sender's kernel buffers, then the
 * sender waits); over UDP there is no way to slow a sender, so a message that cannot be
 * journaled is dropped and counted.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Backpressure, type IngestSink } from './view.js';

export interface SyslogListenerOptions {
  name: string;
  udp?: string;
  tcp?: string;
  tls?: { listen: string; cert: string; key: string };
  /** Fixed host for messages that name none (default: the sender's address). */
  host?: string;
  /** Longest message accepted (bytes); longer ones are cut. Default 64 KB. */
  maxMessage?: number;
}

export function parseListen(s: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(s.trim());
  if (!m) throw new Error(`"${s}" is not HOST:PORT`);
  return { host: (m[1] ?? m[2])!, port: Number(m[3]) };
}

/** One message per journal line: line breaks inside a message become spaces. */
function oneLine(msg: string): string {
  return msg.replace(/\r\n|[\r\n]/g, ' ').replace(/\s+$/, '');
}

/** Collects messages per sender host and appends them to the journal in small batches. */
class Batcher {
  private pending = new Map<string, string[]>();
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly sink: IngestSink,
    /** Reliable (TCP): wait and retry while the journal refuses. Lossy (UDP): drop and count. */
    private readonly reliable: boolean,
    private readonly onDrop: (n: number) => void,
  ) {}

  add(host: string, msg: string): void {
    let l = this.pending.get(host);
    if (!l) this.pending.set(host, (l = []));
    l.push(msg);
    if (l.length >= 1000) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), 20);
  }

  /** Resolves when everything added so far was journaled (or dropped). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batches = this.pending;
    this.pending = new Map();
    for (const [host, lines] of batches) {
      for (;;) {
        try {
          await this.sink.append({ format: 'syslog', host, lines });
          break;
        } catch (e) {
          if (this.reliable && e instanceof Backpressure) {
            await new Promise((r) => setTimeout(r, e.retryAfterSeconds * 1000));
            continue;
          }
          this.onDrop(lines.length);
          break;
        }
      }
    }
  }
}

export class SyslogListener {
  readonly name: string;
  /** Messages that could not be journaled (UDP under load) — the service's dropped_events. */
  dropped = 0;
  received = 0;
  private udp: UdpSocket | undefined;
  private servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly udpBatcher: Batcher;
  private readonly tcpBatcher: Batcher;
  private readonly max: number;
  /** Bound addresses, once listening (port 0 picks a free port). */
  readonly bound: { udp?: number; tcp?: number; tls?: number } = {};

  constructor(
    private readonly opts: SyslogListenerOptions,
    sink: IngestSink,
  ) {
    this.name = opts.name;
    this.max = opts.maxMessage ?? 64 * 1024;
    const drop = (n: number): void => {
      this.dropped += n;
    };
    this.udpBatcher = new Batcher(sink, false, drop);
    this.tcpBatcher = new Batcher(sink, true, drop);
  }

  private hostOf(address: string | undefined): string {
    return this.opts.host ?? (address ?? 'unknown').replace(/^::ffff:/, '');
  }

  async start(): Promise<void> {
    if (this.opts.udp) {
      const { host, port } = parseListen(this.opts.udp);
      const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      sock.on('message', (buf, rinfo) => {
        this.received++;
        const msg = oneLine(buf.subarray(0, this.max).toString('utf8'));
        if (msg) this.udpBatcher.add(this.hostOf(rinfo.address), msg);
      });
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(port, host, () => {
          sock.off('error', reject);
          resolve();
        });
      });
      this.bound.udp = sock.address().port;
      this.udp = sock;
    }
    if (this.opts.tcp)
      this.bound.tcp = await this.listen(
        createServer((s) => this.stream(s)),
        this.opts.tcp,
      );
    if (this.opts.tls) {
      const t = this.opts.tls;
      const server = createTlsServer({ cert: readFileSync(t.cert), key: readFileSync(t.key) }, (s) => this.stream(s));
      this.bound.tls = await this.listen(server, t.listen);
    }
  }

  private async listen(server: Server, addr: string): Promise<number> {
    const { host, port } = parseListen(addr);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.servers.push(server);
    const a = server.address();
    return typeof a === 'object' && a ? a.port : port;
  }

  /** A TCP/TLS connection: octet-counted ("LEN SP MSG") or newline-delimited frames. */
  private stream(sock: Socket): void {
    this.sockets.add(sock);
    const host = this.hostOf(sock.remoteAddress);
    let buf: Buffer = Buffer.alloc(0);
    let counted: boolean | undefined;
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        if (buf.length === 0) break;
        counted ??= /^[1-9][0-9]{0,8} /.test(buf.subarray(0, 10).toString('latin1'));
        if (counted) {
          const sp = buf.indexOf(32);
          if (sp < 0) break;
          const len = Number(buf.subarray(0, sp).toString('latin1'));
          if (!Number.isInteger(len) || len <= 0) {
            counted = false;
            continue;
          }
          if (buf.length < sp + 1 + len) break;
          this.take(host, buf.subarray(sp + 1, sp + 1 + Math.min(len, this.max)));
          buf = buf.subarray(sp + 1 + len);
        } else {
          const nl = buf.indexOf(10);
          if (nl < 0) {
            if (buf.length > this.max) {
              this.take(host, buf.subarray(0, this.max));
              buf = Buffer.alloc(0);
            }
            break;
          }
          this.take(host, buf.subarray(0, nl));
          buf = buf.subarray(nl + 1);
        }
      }
      // Backpressure: stop reading until what this connection sent is journaled.
      sock.pause();
      void this.tcpBatcher.flush().finally(() => sock.resume());
    });
    sock.on('end', () => {
      if (buf.length) this.take(host, buf.subarray(0, this.max));
      void this.tcpBatcher.flush();
    });
    sock.on('error', () => undefined);
    sock.on('close', () => this.sockets.delete(sock));
  }

  private take(host: string, b: Buffer): void {
    const msg = oneLine(b.toString('utf8'));
    if (!msg) return;
    this.received++;
    this.tcpBatcher.add(host, msg);
  }

  async stop(): Promise<void> {
    this.udp?.close();
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    await this.udpBatcher.flush();
    await this.tcpBatcher.flush();
  }
}
