import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubeRuntime } from '../../src/adapters/kube/kube-runtime.js';
import type { RuntimeReport } from '../../src/services/runtime-port.js';
import { waitFor } from '../support/app-host.js';
import { startKubeApiServer } from '../support/kube-api-server.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'kube');
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8').replaceAll('REVISION_A', A);
const json = (name: string) => JSON.parse(fixture(name)) as Record<string, unknown>;

const KS = '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations';
const hello = { tenant: 'alice', app: 'hello' };

type Api = Awaited<ReturnType<typeof startKubeApiServer>>;
let api: Api;
let runtime: ReturnType<typeof createKubeRuntime>;

/** The Kustomization of the fixture list at another revision, as a watch event carries it. */
function kustomizationAt(revision: string, resourceVersion: string, ready: 'True' | 'False' = 'True') {
  // Fixture objects are edited freely here; their shape is what the adapter asserts.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const list = json('kustomization-list.json') as { items: Array<Record<string, any>> };
  const k = structuredClone(list.items[0] ?? {});
  k.metadata.resourceVersion = resourceVersion;
  k.status.lastAppliedRevision = `main@sha1:${revision}`;
  k.status.lastAttemptedRevision = `main@sha1:${revision}`;
  k.status.conditions[0] =
    ready === 'True'
      ? {
          type: 'Ready',
          status: 'True',
          reason: 'ReconciliationSucceeded',
          message: `Applied revision: main@sha1:${revision}`,
          lastTransitionTime: '2026-11-23T10:05:00Z',
        }
      : {
          type: 'Ready',
          status: 'False',
          reason: 'HealthCheckFailed',
          message: 'health check failed after 3m0s: timeout waiting for: [Deployment/berth-alice/hello status: InProgress]',
          lastTransitionTime: '2026-11-23T10:08:00Z',
        };
  return k;
}

beforeEach(async () => {
  api = await startKubeApiServer({
    [KS]: json('kustomization-list.json'),
    [`${KS}/alice--hello`]: (json('kustomization-list.json') as { items: unknown[] }).items[0],
    '/apis/apps/v1/namespaces/berth-alice/deployments/hello': json('deployment-hello.json'),
    '/api/v1/namespaces/berth-alice/pods': json('pod-list-hello.json'),
    '/api/v1/namespaces/berth-alice/events': json('event-list-tenant.json'),
    '/api/v1/namespaces/flux-system/events': json('event-list-flux.json'),
    '/api/v1/namespaces/berth-alice/pods/hello-7d9f8b6c5d-x2x7q/log': fixture('pod-log-hello.txt'),
  });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: api.url, skipTLSVerify: true }],
    users: [{ name: 'berth', token: 'read-only-token' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'berth' }],
    currentContext: 'test',
  });
  runtime = createKubeRuntime({
    kubeConfig: kc,
    fluxNamespace: 'flux-system',
    tenantNamespace: (t) => `berth-${t}`,
    timeoutMs: 1_000,
    logger: pino({ level: 'silent' }),
  });
});

afterEach(async () => {
  await runtime.stop(1_000);
  await api.close();
});

describe('the kubernetes runtime against a local API server', () => {
  it("status: live commit from the Kustomization, replicas from the Deployment, the pods' last termination", async () => {
    await runtime.start();
    const status = await runtime.status(hello);
    expect(status).toMatchObject({ liveCommit: A, ready: true, phase: 'running', replicas: { desired: 1, ready: 1 } });
    expect(status?.message).toContain('ReconciliationSucceeded');
    expect(status?.message).toContain('last exit: OOMKilled (code 137)');
    expect(api.requests).toContain('GET /api/v1/namespaces/berth-alice/pods?labelSelector=app.kubernetes.io%2Fname%3Dhello');
    expect(await runtime.status({ tenant: 'alice', app: 'nothing' })).toBeUndefined();
  });

  it("a list's glance comes from the watched Kustomizations alone, with no call per app", async () => {
    await runtime.start();
    const before = api.requests.length;
    expect(await runtime.glance(hello)).toMatchObject({ liveCommit: A, ready: true, phase: 'running' });
    expect(await runtime.glance({ tenant: 'alice', app: 'nothing' })).toBeUndefined();
    expect(api.requests.slice(before).filter((r) => !r.includes('watch=true'))).toEqual([]);
  });

  it('follows the watch: a new live commit is reported; a watch that ends is re-opened from the last version, one that gets 410 re-lists', async () => {
    api.watchScripts.push(
      {
        events: [
          { type: 'MODIFIED', object: kustomizationAt(B, '1001') },
          { type: 'BOOKMARK', object: { kind: 'Kustomization', apiVersion: 'kustomize.toolkit.fluxcd.io/v1', metadata: { resourceVersion: '1005' } } },
        ],
        then: 'close',
      },
      { status: 410 },
      { events: [{ type: 'MODIFIED', object: kustomizationAt(B, '1010', 'False') }], then: 'hold' },
    );
    const reports: RuntimeReport[] = [];
    runtime.onReport((r) => reports.push(r));
    await runtime.start();
    await waitFor(() => (reports.length >= 2 ? true : undefined));
    expect(reports[0]).toMatchObject({ app: hello, commit: B, outcome: 'ready' });
    expect(reports[1]).toMatchObject({ app: hello, commit: B, outcome: 'failed' });
    expect(reports[1]?.message).toContain('HealthCheckFailed');
    const watches = api.requests.filter((r) => r.includes('watch=true'));
    expect(watches[0]).toContain('resourceVersion=1000');
    // Re-opened after the server closed it, from the BOOKMARK's version.
    expect(watches[1]).toContain('resourceVersion=1005');
    expect(runtime.watchStats()).toMatchObject({ expired: 1, lists: 2 });
    expect(watches[2]).toContain('resourceVersion=1000');
    expect((await runtime.status(hello))?.phase).toBe('failed');
  });

  it("events: the app's own objects and its Kustomization, oldest first", async () => {
    const events = await runtime.events(hello);
    expect(events.map((e) => e.reason)).toEqual(['ScalingReplicaSet', 'BackOff', 'ReconciliationSucceeded']);
    expect(events[1]).toMatchObject({ type: 'Warning', source: 'kubelet' });
    expect(events[2]).toMatchObject({ source: 'kustomize-controller', at: '2026-11-23T10:00:00.000Z' });
    expect(api.requests).toContain('GET /api/v1/namespaces/flux-system/events?fieldSelector=involvedObject.name%3Dalice--hello');
  });

  it('logs: the tail with timestamps, and a follow stream that delivers new lines until aborted', async () => {
    const lines = await runtime.logs(hello, { tail: 50 });
    expect(lines.map((l) => l.at)).toEqual(['2026-11-23T09:59:50.101Z', '2026-11-23T09:59:51.200Z']);
    expect(lines[1]?.text).toContain('"event": "request"');
    expect(api.requests.some((r) => r.includes('/log?') && r.includes('tailLines=50') && r.includes('timestamps=true'))).toBe(true);

    const controller = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const line of runtime.followLogs(hello, { tail: 10 }, controller.signal)) {
        seen.push(line.text);
        if (seen.length === 3) controller.abort();
      }
    })();
    await waitFor(() => (api.followerCount() === 1 && seen.length === 2 ? true : undefined));
    api.pushLog('2026-11-23T10:01:00.000000000Z a line written after the stream opened');
    await reading;
    expect(seen[2]).toBe('a line written after the stream opened');
    await waitFor(() => (api.followerCount() === 0 ? true : undefined));
  });

  it('bounds every call: an API server that does not answer fails the call after the timeout', async () => {
    api.hanging.add('/apis/apps/v1/namespaces/berth-alice/deployments/hello');
    const started = Date.now();
    await expect(runtime.status(hello)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
