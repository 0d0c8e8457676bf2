import { buildBerth } from './compose.js';
import { ConfigError, loadConfig } from './config.js';
import { startHttpServer } from './http/server.js';

/**
 * `node dist/main.js` (production, PID 1 in Berth's image) or `npm start`
 * in development: the configuration from the environment, the graph from
 * src/compose.ts, then listen. Production runs node itself, never npm: npm
 * and tsx do not reliably forward SIGTERM, and the drain below needs it.
 */
async function start(): Promise<void> {
  const config = loadConfig(process.env);
  const berth = await buildBerth(config);
  const { logger } = berth;
  await berth.start();
  const createServer = berth.runtime.createServer;
  const http = await startHttpServer({
    fetch: berth.app.fetch,
    port: config.port,
    hostname: config.host,
    limits: config.server,
    ...(createServer ? { createServer } : {}),
  });
  logger.info({ host: config.host, port: http.port }, `listening on http://${config.host}:${http.port}`);

  let stopping = false;
  // SIGTERM: /readyz and every new request answer 503 at once (Connection: close); running jobs get
  // SHUTDOWN_DEADLINE_MS; then the socket closes (streams are cut) and the process exits.
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    const deadline = config.shutdownDeadlineMs;
    http.startDrain();
    logger.info({ signal, deadlineMs: deadline }, 'draining');
    await berth.stopWorkers(deadline);
    await http.close(Math.max(100, deadline - (Date.now() - started)));
    await berth.close();
    logger.info({ ms: Date.now() - started }, 'stopped');
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
