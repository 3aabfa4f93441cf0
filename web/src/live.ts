/**
 * The service's live feed (`/api/v1/live`, server-sent events) read with fetch, because
 * EventSource cannot send the Authorization header and a token in the URL would be logged.
 * Reconnects with a growing delay; says whether it is connected so the shell can show it and
 * fall back to polling.
 */
export interface LiveMessage {
  event: string;
  data: unknown;
}

export type LiveState = 'connecting' | 'live' | 'down';

/** Splits SSE text into messages; returns the unfinished rest. */
export function parseSse(text: string, out: LiveMessage[]): string {
  let rest = text.replace(/\r\n?/g, '\n');
  for (let end = rest.indexOf('\n\n'); end >= 0; end = rest.indexOf('\n\n')) {
    const block = rest.slice(0, end);
    rest = rest.slice(end + 2);
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (!data.length) continue;
    try {
      out.push({ event, data: JSON.parse(data.join('\n')) as unknown });
    } catch {
      // a message that is not JSON is not one of ours: skip it
    }
  }
  return rest;
}

export function followLive(token: string, onMessage: (m: LiveMessage) => void, onState: (s: LiveState) => void, base = ''): () => void {
  let stopped = false;
  let controller: AbortController | undefined;
  let delay = 1000;
  const run = async (): Promise<void> => {
    while (!stopped) {
      onState('connecting');
      controller = new AbortController();
      try {
        const res = await fetch(`${base}/api/v1/live`, {
          headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
          cache: 'no-store',
          signal: controller.signal,
        });
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true });
          const got: LiveMessage[] = [];
          buf = parseSse(buf, got);
          for (const m of got) {
            if (m.event === 'hello') {
              delay = 1000;
              onState('live');
            } else onMessage(m);
          }
        }
      } catch {
        // down: retried below
      }
      if (stopped) return;
      onState('down');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  };
  void run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
