import { z } from 'zod';

/** The runtime part of GET .../status, as the CLI reads it. */
export const runtimeSchema = z.object({
  kind: z.string(),
  liveCommit: z.string().optional(),
  ready: z.boolean(),
  replicas: z.object({ desired: z.number(), ready: z.number() }),
  message: z.string(),
  url: z.string(),
});

/** The lines `berth status` prints about what runs. */
export function describeRuntime(runtime: z.infer<typeof runtimeSchema>): string {
  return [
    `  runtime: ${runtime.kind}, ${runtime.ready ? 'ready' : 'not ready'} (${runtime.replicas.ready}/${runtime.replicas.desired} replicas)`,
    `  live:    ${runtime.liveCommit ?? 'nothing running'}`,
    `  message: ${runtime.message.split('\n').join('\n           ')}`,
    `  url:     ${runtime.url}`,
  ].join('\n');
}
