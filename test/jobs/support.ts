import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/adapters/store-sqlite/index.js';
import type { Actor } from '../../src/gitops/operation.js';
import type { DeploymentRequest } from '../../src/jobs/requests.js';
import type { Store } from '../../src/ports/store.js';
import { commitsOf } from '../support/git-cli.js';
import { createFixture, helloApp } from '../gitops/setup.js';

export const users: readonly Actor[] = ['alice', 'bob', 'carol', 'dave'].map((name) => ({
  id: `u-${name}`,
  username: name,
  email: `${name}@example.com`,
}));

/** A real SQLite store file and a real apps repo with the GitOps core on it. */
export async function createJobsFixture() {
  const dir = mkdtempSync(join(tmpdir(), 'berth-jobs-'));
  const dbPath = join(dir, 'berth.db');
  const store = openSqliteStore({ path: dbPath });
  const repo = await createFixture();
  return {
    dir,
    dbPath,
    store,
    repo,
    /** A second connection to the same file, as another replica would have. */
    openAnotherStore: (): Store => openSqliteStore({ path: dbPath }),
    async close() {
      await store.close();
      await repo.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type JobsFixture = Awaited<ReturnType<typeof createJobsFixture>>;

/** The app record a deploy request refers to, as POST /apps would create it. */
export async function createAppRecord(store: Store, actor: Actor, name: string, at = new Date()): Promise<void> {
  const iso = at.toISOString();
  await store.apps.create({
    tenant: actor.username,
    name,
    ownerId: actor.id,
    draft: { files: {}, entrypoint: 'main.py', env: {} },
    createdAt: iso,
    updatedAt: iso,
    lastActivityAt: iso,
  });
}

/** A deploy request for the hello app, as the deploy route would queue it. */
export function deployRequest(
  actor: Actor,
  app: string,
  greeting = 'hello',
  extra: { readonly message?: string; readonly base?: string; readonly entrypoint?: string } = {},
): DeploymentRequest {
  const input = helloApp(actor.username, app, greeting);
  return {
    kind: 'deploy',
    tenant: actor.username,
    app,
    actor,
    files: { ...input.files },
    entrypoint: input.entrypoint,
    env: { ...input.env },
    ...extra,
  };
}

/** Commits on main carrying `Berth-Request: <id>`, read with the git CLI. */
export function commitsForRequest(gitdir: string, requestId: string): string[] {
  return commitsOf(gitdir)
    .filter((commit) => commit.message.split('\n').includes(`Berth-Request: ${requestId}`))
    .map((commit) => commit.sha);
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
