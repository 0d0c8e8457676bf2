import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobStore } from '../ports/store.js';

/** The service's Prometheus metrics, in their own registry (no globals, so tests can build many apps). */
export interface Metrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Deploy requests and jobs by outcome: accepted, duplicate, invalid, committed, failed. */
  readonly deploys: Counter<'outcome'>;
  /** Request accepted → commit on the branch. */
  readonly commitLatency: Histogram;
  /** Change request opened → approved or rejected (review mode). */
  readonly reviewTime: Histogram<'verdict'>;
  /** Fills berth_change_requests_open on each scrape. */
  countOpenChangeRequests?: () => Promise<number>;
}

export function createMetrics(options: { readonly jobs?: Pick<JobStore, 'stats'>; readonly defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'berth_http_request_duration_seconds',
    help: 'HTTP request latency by route template',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const deploys = new Counter({ name: 'berth_deploys_total', help: 'Deploys by outcome', labelNames: ['outcome'] as const, registers: [registry] });
  const commitLatency = new Histogram({
    name: 'berth_commit_latency_seconds',
    help: 'Deploy request accepted until committed to the apps repository',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const reviewTime = new Histogram({
    name: 'berth_change_request_review_seconds',
    help: 'Change request opened until approved or rejected',
    labelNames: ['verdict'] as const,
    buckets: [10, 60, 300, 900, 3600, 4 * 3600, 24 * 3600, 3 * 24 * 3600],
    registers: [registry],
  });
  const jobs = options.jobs;
  if (jobs) {
    // Registered before the depth gauge it fills, so one scrape reads one consistent snapshot.
    const oldest = new Gauge({ name: 'berth_job_oldest_queued_seconds', help: 'Age of the oldest queued job', registers: [registry] });
    const depth = new Gauge({
      name: 'berth_job_queue_depth',
      help: 'Jobs by state',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        const stats = await jobs.stats(new Date().toISOString());
        this.set({ state: 'queued' }, stats.queued);
        this.set({ state: 'running' }, stats.running);
        oldest.set(stats.oldestQueuedSeconds);
      },
    });
    void depth;
  }
  const metrics: Metrics = { registry, httpDuration, deploys, commitLatency, reviewTime };
  new Gauge({
    name: 'berth_change_requests_open',
    help: 'Open change requests (review mode)',
    registers: [registry],
    async collect() {
      if (metrics.countOpenChangeRequests) this.set(await metrics.countOpenChangeRequests());
    },
  });
  return metrics;
}
