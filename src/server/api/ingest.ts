/**
 * POST /api/v1/ingest: NDJSON events (Winlogbeat, NXLog, Fluent Bit, Vector ...) or raw lines
 * of a named format (`?format=w3c`), optionally gzip/deflate, answered 202 only once the batch
 * is in the ingest journal and synced — so a 2xx survives `kill -9`. While the pipeline is
 * behind, 503 with Retry-After instead of loss.
 */
import type { FastifyPluginAsync } from 'fastify';
import { checkFormat } from '../../input/detect.js';
import { Backpressure, type IngestSink } from '../view.js';
import { decodeBody, type IngestLimits, IngestRefused, splitLines } from './limits.js';

export interface IngestOptions {
  sink: IngestSink | null;
  limits: IngestLimits;
  /** Counts batches and lines accepted (metrics). */
  counters: { requests: number; lines: number; refused: number };
  /** Why ingest is refused when there is no sink (a cluster's API role says where to send events instead). */
  refusal?: string;
}

export const ingestRoutes: FastifyPluginAsync<IngestOptions> = async (app, opts) => {
  // Bodies are taken as bytes whatever their type: the content is checked here, not by Fastify.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.limits.maxBodyBytes }, (_req, body, done) => done(null, body));

  app.post<{ Querystring: { format?: string; host?: string } }>(
    '/api/v1/ingest',
    {
      config: { role: 'ingest' },
      bodyLimit: opts.limits.maxBodyBytes,
      schema: {
        querystring: {
          type: 'object',
          properties: { format: { type: 'string', maxLength: 64 }, host: { type: 'string', maxLength: 255 } },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      if (!opts.sink)
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: opts.refusal ?? 'HTTP ingest is disabled in this service (ingest.enabled: false)' });
      const format = req.query.format ?? 'json';
      if (format !== 'json') {
        let d: ReturnType<typeof checkFormat>;
        try {
          d = checkFormat(format);
        } catch (e) {
          opts.counters.refused++;
          return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: (e as Error).message.replace('--input-format', 'format') });
        }
        if (d?.kind !== 'line') {
          opts.counters.refused++;
          return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: `format "${format}" is a file format; send it to a spool folder instead` });
        }
      }
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let lines: string[];
      try {
        const body = await decodeBody(raw, req.headers['content-encoding'] as string | undefined, opts.limits);
        lines = splitLines(body, format === 'json', opts.limits);
      } catch (e) {
        if (e instanceof IngestRefused) {
          opts.counters.refused++;
          return reply.code(e.statusCode).send({
            statusCode: e.statusCode,
            error: e.statusCode === 413 ? 'Payload Too Large' : e.statusCode === 415 ? 'Unsupported Media Type' : 'Bad Request',
            message: e.message,
          });
        }
        throw e;
      }
      if (lines.length) {
        try {
          await opts.sink.append({ format, host: req.query.host, lines });
        } catch (e) {
          if (e instanceof Backpressure) {
            reply.header('Retry-After', String(e.retryAfterSeconds));
            return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message: e.message });
          }
          throw e;
        }
      }
      opts.counters.requests++;
      opts.counters.lines += lines.length;
      return reply.code(202).send({ accepted: lines.length });
    },
  );
};
