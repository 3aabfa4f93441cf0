/** Reading a server-sent-events stream (the live feed) in tests. */
export interface Message {
  event: string;
  data: Record<string, unknown>;
}

/** Reads SSE messages from a fetch body until `stop` says so (or the stream ends). */
export async function readUntil(body: ReadableStream<Uint8Array>, stop: (got: Message[]) => boolean, ms = 20_000): Promise<{ got: Message[]; ended: boolean; text: string }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const got: Message[] = [];
  const deadline = Date.now() + ms;
  let ended = false;
  while (!stop(got)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(got.map((m) => m.event))}`);
    // the timer is cleared at once: a pending one would keep the test process alive for `ms`
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([reader.read(), new Promise<'late'>((res) => (timer = setTimeout(() => res('late'), left)))]);
    clearTimeout(timer);
    if (r === 'late') continue;
    if (r.done) {
      ended = true;
      break;
    }
    text += decoder.decode(r.value, { stream: true });
    got.length = 0;
    for (const block of text.split('\n\n').slice(0, -1)) {
      const ev = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (ev && data) got.push({ event: ev, data: JSON.parse(data) as Record<string, unknown> });
    }
  }
  reader.releaseLock();
  return { got, ended, text };
}
