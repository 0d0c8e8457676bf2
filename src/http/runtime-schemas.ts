import { z } from 'zod';
import { APP_REQUEST_MAX_BYTES } from '../services/app-request.js';

/** The runtime part of GET /apps/:tenant/:app/status (and of each app in GET /apps). */
export const runtimeViewSchema = z.object({
  kind: z.enum(['local', 'kubernetes', 'none']),
  liveCommit: z.string().optional(),
  ready: z.boolean(),
  replicas: z.object({ desired: z.number(), ready: z.number() }),
  message: z.string(),
  phase: z.enum(['running', 'starting', 'asleep', 'failed', 'absent']),
  url: z.string(),
});

export const logsQuery = z.object({
  tail: z.coerce.number().int().min(0).max(2_000).default(200),
  follow: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

const logLine = z.object({ at: z.string(), stream: z.enum(['stdout', 'stderr']), text: z.string() });
export const logsResponse = z.object({ lines: z.array(logLine) });
export const eventsResponse = z.object({
  events: z.array(z.object({ at: z.string(), type: z.enum(['Normal', 'Warning']), reason: z.string(), message: z.string(), source: z.string() })),
});

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'a header name');
export const appRequestSchema = z.object({
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']),
  path: z.string().min(1).max(2_048),
  headers: z
    .record(
      headerName,
      z
        .string()
        .max(8_192)
        .regex(/^[^\r\n]*$/, 'no line breaks'),
    )
    .optional(),
  body: z.string().max(APP_REQUEST_MAX_BYTES).optional(),
});
export const appAnswerResponse = z.object({
  status: z.number(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  truncated: z.boolean(),
  ms: z.number(),
});
export const lifecycleResponse = z.object({ status: z.string(), commit: z.string().nullable() });
