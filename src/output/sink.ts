/** Where command output goes: stdout or a file, written in large pieces with backpressure. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export class OutputSink {
  private parts: string[] = [];
  private size = 0;
  private readonly stream: NodeJS.WritableStream;
  readonly isTTY: boolean;
  readonly columns: number;

  constructor(file?: string) {
    if (file && file !== '-') {
      this.stream = createWriteStream(file);
      this.isTTY = false;
      this.columns = 200;
    } else {
      this.stream = process.stdout;
      this.isTTY = process.stdout.isTTY === true;
      this.columns = process.stdout.columns || 200;
    }
  }

  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.stream !== process.stdout) {
      await new Promise<void>((resolve, reject) => {
        this.stream.once('error', reject);
        this.stream.end(() => resolve());
      });
    }
  }
}
