import { serve } from '@hono/node-server';
import { buildBerth } from './compose.js';
import { ConfigError, loadConfig } from './config.js';

/** `npm start`: the configuration from the environment, the graph from src/compose.ts, then listen. */
async function start(): Promise<void> {
  const config = loadConfig(process.env);
  const berth = await buildBerth(config);
  const { logger } = berth;
  await berth.start();
  const createServer = berth.runtime.createServer;
  const server = serve({ fetch: berth.app.fetch, port: config.port, hostname: config.host, ...(createServer ? { createServer } : {}) }, (info) =>
    logger.info({ host: info.address, port: info.port }, `listening on http://${config.host}:${info.port}`),
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const deadline = config.shutdownDeadlineMs;
    logger.info({ signal, deadlineMs: deadline }, 'shutting down');
    // Stop accepting; in-flight requests finish. Streams (SSE) are cut at the deadline.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const force = setTimeout(() => 'closeAllConnections' in server && server.closeAllConnections(), deadline);
    await Promise.allSettled([berth.stopWorkers(deadline), closed]);
    clearTimeout(force);
    await berth.close();
    logger.info('stopped');
    logger.flush();
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      shutdown(signal).then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

start().catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`berth: ${err.message}\n`);
  else process.stderr.write(`berth: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
