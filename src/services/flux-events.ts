import { z } from 'zod';
import { isValidName, type AppRef } from '../domain/names.js';

/**
 * Flux notification-controller events, as a `generic-hmac` Provider posts
 * them (the Event of fluxcd/pkg/apis/event). Only what Berth reads is
 * parsed; everything else in the payload is ignored.
 */
const fluxEventSchema = z.object({
  involvedObject: z.object({ kind: z.string(), name: z.string(), namespace: z.string().optional() }),
  severity: z.enum(['info', 'error', 'trace']).catch('info'),
  reason: z.string().max(200).default(''),
  message: z.string().default(''),
  metadata: z.record(z.string(), z.string()).default({}),
  timestamp: z.string().optional(),
});

export interface FluxAppEvent {
  readonly app: AppRef;
  readonly severity: 'info' | 'error' | 'trace';
  readonly reason: string;
  readonly message: string;
  /** The commit the event is about, when the event names one. */
  readonly revision?: string;
  readonly at?: string;
}

/**
 * An app's Flux Kustomization event, or undefined for events about
 * anything else (groups, the root, sources). App Kustomizations are named
 * `<tenant>--<app>` (see templates/app/flux-kustomization.yaml.hbs).
 */
export function parseFluxAppEvent(payload: unknown): FluxAppEvent | undefined {
  const parsed = fluxEventSchema.safeParse(payload);
  if (!parsed.success || parsed.data.involvedObject.kind !== 'Kustomization') return undefined;
  const parts = parsed.data.involvedObject.name.split('--');
  const [tenant, app] = parts;
  if (parts.length !== 2 || !tenant || !app || !isValidName(tenant) || !isValidName(app)) return undefined;
  const revisionText = parsed.data.metadata['revision'] ?? parsed.data.metadata['kustomize.toolkit.fluxcd.io/revision'];
  // `main@sha1:<sha>` since Flux 2.0, `main/<sha>` before.
  const revision = /([0-9a-f]{40})$/.exec(revisionText ?? '')?.[1];
  return {
    app: { tenant, app },
    severity: parsed.data.severity,
    reason: parsed.data.reason,
    message: parsed.data.message.slice(0, 2_000),
    ...(revision ? { revision } : {}),
    ...(parsed.data.timestamp ? { at: parsed.data.timestamp } : {}),
  };
}

/** What an event means for a deployment of that app, given where its commit sits relative to the event's revision. */
export type DeploymentVerdict = 'ready' | 'failed' | 'superseded' | 'none';

/**
 * With `wait: true` on every app Kustomization, ReconciliationSucceeded is
 * sent only after the health checks passed: the commit is live and ready.
 * An error about the deployment's own commit fails it; a success at a later
 * commit supersedes it (its change is included in what is live).
 */
export function verdictFor(event: FluxAppEvent, deploymentCommit: string, relation: 'same' | 'ancestor' | 'other'): DeploymentVerdict {
  if (relation === 'same') {
    if (event.severity === 'error') return 'failed';
    return event.reason === 'ReconciliationSucceeded' ? 'ready' : 'none';
  }
  if (relation === 'ancestor' && event.severity === 'info' && event.reason === 'ReconciliationSucceeded' && deploymentCommit) return 'superseded';
  return 'none';
}
