/**
 * The stored results: detections, incidents (with members and time line), scanner findings,
 * the loaded rules. Lists answer `{"items": [...], "next": CURSOR|null}`, newest first,
 * keyset-paginated on (time, id): following `next` neither repeats nor skips a row that was
 * there, however many arrive meanwhile (new ones land before the first page).
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { LEVELS, type Level } from '../../event/detection.js';
import { hostKey } from '../../event/host.js';
import { decodeCursor, type Page } from '../../store/alerts.js';
import type { Store } from '../../store/store.js';
import type { ServiceView } from '../view.js';

export interface QueryOptions {
  store: Store;
  view: ServiceView;
}

interface ListQuery {
  limit?: number;
  cursor?: string;
  from?: string;
  to?: string;
  level?: string;
  rule?: string;
  tag?: string;
  host?: string;
  text?: string;
  kind?: string;
  status?: string;
  triage?: string;
  technique?: string;
  verdict?: string;
}

const listSchema = {
  querystring: {
    type: 'object',
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
      cursor: { type: 'string', maxLength: 512 },
      from: { type: 'string', maxLength: 64 },
      to: { type: 'string', maxLength: 64 },
      level: { type: 'string', enum: [...LEVELS] },
      rule: { type: 'string', maxLength: 256 },
      tag: { type: 'string', maxLength: 128 },
      host: { type: 'string', maxLength: 255 },
      text: { type: 'string', maxLength: 256 },
      kind: { type: 'string', enum: ['rule', 'correlation'] },
      status: { type: 'string', enum: ['open', 'closed', 'merged'] },
      triage: { type: 'string', maxLength: 32 },
      technique: { type: 'string', maxLength: 32 },
      verdict: { type: 'string', enum: ['suspicious', 'malicious'] },
    },
    additionalProperties: false,
  },
} as const;

class BadQuery extends Error {}

/** ISO 8601 or epoch milliseconds. */
function timeParam(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw new BadQuery(`${name} must be an ISO 8601 time or epoch milliseconds, not "${v}"`);
  return t;
}

function cursorParam(v: string | undefined): string | undefined {
  if (v !== undefined && !decodeCursor(v)) throw new BadQuery('cursor is not one this API gave out');
  return v;
}

/** Stored JSON texts as a page, without parsing them again. */
function sendPage(reply: FastifyReply, page: Page<string>): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(`{"items":[${page.items.join(',')}],"next":${JSON.stringify(page.next)}}`);
}

function bad(reply: FastifyReply, e: unknown): FastifyReply {
  if (e instanceof BadQuery) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: e.message });
  throw e;
}

export const queryRoutes: FastifyPluginAsync<QueryOptions> = async (app, { store, view }) => {
  app.get<{ Querystring: ListQuery }>('/api/v1/detections', { config: { role: 'read' }, schema: listSchema }, async (req, reply) => {
    const q = req.query;
    try {
      const page = await store.alerts.listDetections({
        from: timeParam(q.from, 'from'),
        to: timeParam(q.to, 'to'),
        minLevelRank: q.level === undefined ? undefined : LEVELS.indexOf(q.level as Level),
        rule: q.rule,
        tag: q.tag,
        hostKey: q.host === undefined ? undefined : hostKey(q.host),
        text: q.text,
        kind: q.kind,
        limit: q.limit ?? 100,
        cursor: cursorParam(q.cursor),
      });
      return sendPage(reply, page);
    } catch (e) {
      return bad(reply, e);
    }
  });

  app.get<{ Params: { id: string } }>('/api/v1/detections/:id', { config: { role: 'read' } }, async (req, reply) => {
    const body = await store.alerts.getDetection(req.params.id);
    if (body === undefined) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no detection ${req.params.id}` });
    // the fields that made the rule match, for the console to mark (rule detections whose rule is loaded here)
    const explain = view.explain?.bind(view);
    if (explain) {
      const rec = JSON.parse(body) as { kind?: string; rule?: { id?: string }; event?: Record<string, unknown>; logsource?: Record<string, unknown> };
      if (rec.kind === 'rule' && rec.rule?.id && rec.event) {
        const matched = explain(rec.rule.id, { fields: rec.event, logsource: rec.logsource ?? {} });
        if (matched) return reply.type('application/json; charset=utf-8').send(JSON.stringify({ ...rec, matched }));
      }
    }
    return reply.type('application/json; charset=utf-8').send(body);
  });

  app.get<{ Querystring: ListQuery }>('/api/v1/incidents', { config: { role: 'read' }, schema: listSchema }, async (req, reply) => {
    const q = req.query;
    try {
      const page = await store.alerts.listIncidents({
        from: timeParam(q.from, 'from'),
        to: timeParam(q.to, 'to'),
        status: q.status,
        triage: q.triage,
        minSeverityRank: q.level === undefined ? undefined : LEVELS.indexOf(q.level as Level),
        hostKey: q.host === undefined ? undefined : hostKey(q.host),
        technique: q.technique,
        limit: q.limit ?? 100,
        cursor: cursorParam(q.cursor),
      });
      return sendPage(reply, { items: page.items.map((i) => withTriage(i.header, i.triage, i.note)), next: page.next });
    } catch (e) {
      return bad(reply, e);
    }
  });

  app.get<{ Params: { id: string } }>('/api/v1/incidents/:id', { config: { role: 'read' } }, async (req, reply) => {
    const inc = await store.alerts.getIncident(req.params.id);
    if (!inc) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no incident ${req.params.id}` });
    // members are stored in time order: they are the time line
    const header = withTriage(inc.header, inc.triage, inc.note);
    return reply.type('application/json; charset=utf-8').send(`${header.slice(0, -1)},"timeline":[${inc.members.join(',')}]}`);
  });

  app.patch<{ Params: { id: string }; Body: { triage: string; note?: string } }>(
    '/api/v1/incidents/:id',
    {
      config: { role: 'admin' },
      schema: {
        body: {
          type: 'object',
          required: ['triage'],
          properties: { triage: { type: 'string', enum: ['new', 'investigating', 'resolved', 'false_positive'] }, note: { type: 'string', maxLength: 10_000 } },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const ok = await store.alerts.setTriage(req.params.id, req.body.triage, req.body.note);
      if (!ok) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no incident ${req.params.id}` });
      return { id: req.params.id, triage: req.body.triage };
    },
  );

  app.get<{ Querystring: ListQuery }>('/api/v1/findings', { config: { role: 'read' }, schema: listSchema }, async (req, reply) => {
    const q = req.query;
    try {
      const page = await store.alerts.listFindings({
        from: timeParam(q.from, 'from'),
        to: timeParam(q.to, 'to'),
        verdict: q.verdict,
        hostKey: q.host === undefined ? undefined : hostKey(q.host),
        limit: q.limit ?? 100,
        cursor: cursorParam(q.cursor),
      });
      return sendPage(reply, page);
    } catch (e) {
      return bad(reply, e);
    }
  });

  app.get('/api/v1/rules', { config: { role: 'read' } }, async () => {
    const r = view.rules();
    return { items: r.rules, next: null, correlations: r.correlations, problems: r.problems };
  });
};

/** The incident header JSON with the analyst's triage and note added. */
function withTriage(header: string, triage: string, note: string): string {
  return `${header.slice(0, -1)},"triage":${JSON.stringify(triage)},"note":${JSON.stringify(note)}}`;
}
