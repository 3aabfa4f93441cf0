/**
 * Bearer-token authentication for every route that names a role in its config; routes that
 * name none (health) are open. A role grants its own routes; `admin` grants every route.
 * Wrapped with fastify-plugin so the hook covers routes registered beside it, not only inside.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Role, TokenRoom } from '../../store/tokens.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The role a caller needs; absent = open route. */
    role?: Role;
  }
  interface FastifyRequest {
    /** The token's id and role, once authenticated. */
    principal?: { id: string; role: Role };
  }
}

export function allows(have: Role, need: Role): boolean {
  return have === 'admin' || have === need;
}

const authPlugin: FastifyPluginAsync<{ tokens: TokenRoom }> = async (app, opts) => {
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const need = req.routeOptions.config?.role;
    if (!need) return;
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
    if (!m) {
      reply.header('WWW-Authenticate', 'Bearer realm="warden"');
      return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'this route needs "Authorization: Bearer TOKEN" (make one with `warden token create`)' });
    }
    const who = await opts.tokens.verify(m[1]!);
    if (!who) {
      reply.header('WWW-Authenticate', 'Bearer realm="warden", error="invalid_token"');
      return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'the token is unknown or was revoked' });
    }
    if (!allows(who.role, need)) {
      return reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: `this route needs a token with role "${need}" (or admin); this one has "${who.role}"` });
    }
    req.principal = who;
  });
};

export const auth = fp(authPlugin, { name: 'warden-auth', fastify: '5.x' });
