import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.js';

/**
 * The one hono environment every router and middleware shares: request id,
 * a child logger carrying it, and the authenticated principal (set by
 * {@link requireUser} on protected routes only).
 */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    principal: Principal;
  };
}
