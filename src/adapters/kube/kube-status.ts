import type { RuntimeAppStatus, RuntimeEvent } from '../../services/runtime-port.js';

/*
 * Pure: the shapes Berth reads from the Kubernetes API (only the fields it
 * uses) and how they become the runtime port's answers. The adapter fetches;
 * this decides.
 */

export interface KubeCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string | Date;
}

export interface FluxKustomization {
  readonly metadata?: { readonly name?: string; readonly resourceVersion?: string };
  readonly status?: { readonly lastAppliedRevision?: string; readonly lastAttemptedRevision?: string; readonly conditions?: readonly KubeCondition[] };
}

export interface KubeDeployment {
  readonly spec?: { readonly replicas?: number };
  readonly status?: { readonly readyReplicas?: number; readonly updatedReplicas?: number; readonly conditions?: readonly KubeCondition[] };
}

export interface KubePod {
  readonly metadata?: { readonly name?: string; readonly creationTimestamp?: string | Date };
  readonly status?: {
    readonly phase?: string;
    readonly containerStatuses?: ReadonlyArray<{
      readonly name: string;
      readonly ready: boolean;
      readonly restartCount: number;
      readonly state?: { readonly waiting?: { readonly reason?: string; readonly message?: string } };
      readonly lastState?: { readonly terminated?: { readonly reason?: string; readonly exitCode?: number; readonly message?: string } };
    }>;
  };
}

export interface KubeEvent {
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTimestamp?: string | Date;
  readonly eventTime?: string | Date;
  readonly firstTimestamp?: string | Date;
  readonly metadata?: { readonly creationTimestamp?: string | Date };
  readonly involvedObject?: { readonly kind?: string; readonly name?: string };
  readonly source?: { readonly component?: string };
  readonly reportingComponent?: string;
}

/** `main@sha1:<sha>` (Flux 2) or `main/<sha>` (before): the commit. */
export function revisionCommit(revision: string | undefined): string | undefined {
  return /([0-9a-f]{40})$/.exec(revision ?? '')?.[1];
}

const iso = (value: string | Date | undefined) => (value === undefined ? undefined : new Date(value).toISOString());

/** Why pods are not serving: waiting reasons (CrashLoopBackOff) and the last termination (OOMKilled, Error exit 1). */
export function podTrouble(pods: readonly KubePod[]): string | undefined {
  const notes: string[] = [];
  for (const pod of pods) {
    for (const c of pod.status?.containerStatuses ?? []) {
      const waiting = c.state?.waiting?.reason;
      const last = c.lastState?.terminated;
      if (!waiting && !last) continue;
      const lastText = last
        ? `last exit: ${last.reason ?? 'terminated'}${last.exitCode !== undefined ? ` (code ${last.exitCode})` : ''}${last.message ? `: ${last.message}` : ''}`
        : '';
      notes.push(`pod ${pod.metadata?.name ?? '?'}: ${[waiting, `restarts ${c.restartCount}`, lastText].filter(Boolean).join(', ')}`);
    }
  }
  return notes.length > 0 ? notes.join('; ') : undefined;
}

/** The app's status from its Flux Kustomization, Deployment and Pods (any may be missing). */
export function toAppStatus(k: FluxKustomization | undefined, deployment: KubeDeployment | undefined, pods: readonly KubePod[]): RuntimeAppStatus | undefined {
  if (!k && !deployment) return undefined;
  const liveCommit = revisionCommit(k?.status?.lastAppliedRevision);
  const ready = k?.status?.conditions?.find((c) => c.type === 'Ready');
  const desired = deployment?.spec?.replicas ?? 1;
  // Without the Deployment (a list's glance), Flux's Ready (wait: true means healthy) stands for it.
  const readyReplicas = deployment ? (deployment.status?.readyReplicas ?? 0) : ready?.status === 'True' ? desired : 0;
  const trouble = podTrouble(pods);
  const fluxMessage = ready ? `${ready.reason ?? ready.status}: ${ready.message ?? ''}`.trim() : 'Flux has not reported on this app yet';
  const failed =
    (ready?.status === 'False' && ready.reason !== 'Progressing') ||
    (trouble !== undefined && /CrashLoopBackOff|ImagePullBackOff|ErrImagePull|CreateContainerConfigError/.test(trouble));
  const phase: RuntimeAppStatus['phase'] =
    desired === 0 ? 'asleep' : failed ? 'failed' : ready?.status === 'True' && readyReplicas >= Math.min(1, desired) ? 'running' : 'starting';
  return {
    ...(liveCommit ? { liveCommit } : {}),
    ready: phase === 'running',
    replicas: { desired, ready: readyReplicas },
    message: [desired === 0 ? 'asleep (replicas 0)' : fluxMessage, trouble].filter(Boolean).join('; ').slice(0, 2_000),
    phase,
  };
}

export function toRuntimeEvent(event: KubeEvent): RuntimeEvent {
  return {
    at: iso(event.lastTimestamp) ?? iso(event.eventTime) ?? iso(event.firstTimestamp) ?? iso(event.metadata?.creationTimestamp) ?? new Date(0).toISOString(),
    type: event.type === 'Warning' ? 'Warning' : 'Normal',
    reason: event.reason ?? '',
    message: (event.message ?? '').slice(0, 2_000),
    source: event.source?.component ?? event.reportingComponent ?? 'kubernetes',
  };
}

/** `2026-11-23T10:00:00.123456789Z text` (kubectl logs --timestamps) → time and text. */
export function parseLogLine(line: string): { at: string; text: string } {
  const match = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (.*)$/.exec(line);
  if (!match?.[1]) return { at: new Date().toISOString(), text: line };
  const at = new Date(match[1].replace(/\.(\d{3})\d*Z$/, '.$1Z'));
  return { at: Number.isNaN(at.getTime()) ? new Date().toISOString() : at.toISOString(), text: match[2] ?? '' };
}
