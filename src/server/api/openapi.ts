/** The API described for clients and generators (OpenAPI 3.1), served at /api/v1/openapi.json. */

const page = (item: string): object => ({
  type: 'object',
  required: ['items', 'next'],
  properties: { items: { type: 'array', items: { $ref: `#/components/schemas/${item}` } }, next: { type: ['string', 'null'], description: 'cursor of the next page' } },
});

const listParams = ['limit', 'cursor', 'from', 'to', 'level', 'rule', 'tag', 'host', 'text', 'kind'].map((name) => ({
  name,
  in: 'query',
  required: false,
  schema: name === 'limit' ? { type: 'integer', minimum: 1, maximum: 1000, default: 100 } : { type: 'string' },
}));

const json = (schema: object): object => ({ content: { 'application/json': { schema } } });

export const OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'Warden service API', version: '1', description: 'Detections, incidents and findings of `warden serve`; HTTP ingest.' },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from `warden token create --role ingest|read|admin`' } },
    schemas: {
      Detection: { type: 'object', description: 'one detection record, as `warden hunt --format jsonl` writes it' },
      Incident: { type: 'object', description: 'an incident header with triage and note' },
      Finding: { type: 'object', description: 'a web-shell scanner finding' },
      Problem: { type: 'object', properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } } },
    },
  },
  security: [{ bearer: [] }],
  paths: {
    '/api/v1/ingest': {
      post: {
        summary: 'Send events: NDJSON (default) or raw lines with ?format=; gzip or deflate bodies accepted. Needs role ingest.',
        parameters: [
          { name: 'format', in: 'query', schema: { type: 'string', default: 'json' } },
          { name: 'host', in: 'query', schema: { type: 'string' } },
        ],
        requestBody: { content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/plain': { schema: { type: 'string' } } } },
        responses: {
          '202': { description: 'durably journaled', ...json({ type: 'object', properties: { accepted: { type: 'integer' } } }) },
          '400': { description: 'invalid JSON, not an object, too many fields, nested too deep' },
          '401': { description: 'no or bad token' },
          '413': { description: 'body, decompressed body, line or line count over the limit' },
          '429': { description: 'rate limited (Retry-After)' },
          '503': { description: 'the pipeline is behind (Retry-After)' },
        },
      },
    },
    '/api/v1/detections': { get: { summary: 'Detections, newest first.', parameters: listParams, responses: { '200': json(page('Detection')) } } },
    '/api/v1/detections/{id}': { get: { summary: 'One detection.', responses: { '200': json({ $ref: '#/components/schemas/Detection' }), '404': {} } } },
    '/api/v1/incidents': {
      get: { summary: 'Incidents, newest first (status, triage, level, host, technique filters).', parameters: listParams, responses: { '200': json(page('Incident')) } },
    },
    '/api/v1/incidents/{id}': {
      get: { summary: 'One incident with its time line.', responses: { '200': json({ $ref: '#/components/schemas/Incident' }), '404': {} } },
      patch: { summary: 'Set triage and note (admin).', responses: { '200': {}, '404': {} } },
    },
    '/api/v1/findings': { get: { summary: 'Scanner findings of watched web roots.', parameters: listParams, responses: { '200': json(page('Finding')) } } },
    '/api/v1/rules': { get: { summary: 'Loaded rules and load problems.', responses: { '200': {} } } },
    '/api/v1/sources': {
      get: {
        summary: "Health of each source: last event, lag, errors, state; in a cluster's api and worker roles each JetStream partition (partition, pending, ackPending, holder).",
        responses: { '200': {} },
      },
    },
    '/api/v1/live': {
      get: {
        summary:
          'Server-sent events announcing what was just committed: `detections` {count, ids, maxLevel}, `incidents` {updates: [{id, kind, severity, hostKey}]}, `findings` {count}; never event content. Read with fetch and the Authorization header.',
        responses: { '200': { content: { 'text/event-stream': {} } }, '503': {} },
      },
    },
    '/api/v1/health': { get: { summary: 'Liveness; needs no token.', security: [], responses: { '200': {} } } },
    '/api/v1/tokens': { get: { summary: 'API tokens (admin).', responses: { '200': {} } }, post: { summary: 'Make a token (admin).', responses: { '201': {} } } },
    '/api/v1/tokens/{id}': { delete: { summary: 'Revoke a token (admin).', responses: { '204': {}, '404': {} } } },
    '/metrics': { get: { summary: 'Prometheus metrics (per-partition lag in cluster roles: warden_partition_*).', responses: { '200': { content: { 'text/plain': {} } } } } },
  },
} as const;
