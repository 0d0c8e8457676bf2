import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openApiChecker } from './openapi-check.js';

/*
 * A local stand-in for the GitHub REST endpoints Berth's review backend
 * calls, over a bare repository that `git http-backend` serves: pull
 * requests, reviews, squash merges with the `sha` guard, ref deletion and
 * ETags. Every answer is checked against GitHub's own OpenAPI description
 * (test/fixtures/github/openapi-subset.json, cut from @octokit/openapi), and
 * each answer is built from that description's schema, so the shapes
 * cannot drift from the real API.
 */

const DOC = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'github', 'openapi-subset.json'), 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;
};
type Schema = Record<string, unknown>;

/** The smallest value a schema accepts, with every required property: the skeleton each answer starts from. */
function sample(schema: Schema | undefined): unknown {
  if (!schema) return null;
  if (Array.isArray(schema.anyOf)) return sample((schema.anyOf as Schema[])[0]);
  if (Array.isArray(schema.oneOf)) return sample((schema.oneOf as Schema[])[0]);
  if (Array.isArray(schema.allOf)) return Object.assign({}, ...(schema.allOf as Schema[]).map((s) => sample(s) as object));
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const type = Array.isArray(schema.type) ? (schema.type as string[]).find((t) => t !== 'null') : (schema.type as string | undefined);
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      for (const key of (schema.required ?? []) as string[]) out[key] = sample(props[key]);
      return out;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'string':
      if (schema.format === 'date-time') return '2026-01-01T00:00:00Z';
      if (schema.format === 'uri') return 'https://github.test/x';
      if (schema.format === 'email') return 'someone@example.com';
      return '';
    default:
      return null;
  }
}

const responseSchema = (path: string, method: string, status: number) =>
  DOC.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;

class NotMergeable extends Error {}

export interface Pull {
  number: number;
  head: string;
  headSha: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergeCommit: string | null;
  mergedBy: string | null;
  reviews: { id: number; login: string; state: string; body: string; commit: string }[];
  /** GETs that answer `mergeable: null` (GitHub still computing) before it says true. */
  computing: number;
  version: number;
}

export async function startGitHubApi(options: {
  readonly bareRepo: string;
  readonly token: string;
  readonly owner: string;
  readonly repo: string;
  readonly login?: string;
}) {
  const git = (...args: string[]) => execFileSync('git', ['--git-dir', options.bareRepo, ...args], { encoding: 'utf8' }).trim();
  const checker = openApiChecker(DOC);
  const pulls: Pull[] = [];
  const problems: string[] = [];
  const calls: string[] = [];
  const knobs = { listMissesOnce: false, conflictOnceOnMerge: false, autoDeleteHead: true, computingGets: 1 };
  let notModified = 0;
  let reviewIds = 1;
  const bot = options.login ?? 'berth-bot';
  let base = '';

  const user = (login: string) => ({
    ...(sample(responseSchema('/repos/{owner}/{repo}/pulls/{pull_number}', 'get', 200)) as { user: object }).user,
    login,
    type: 'User',
  });
  const etagOf = (pull: Pull) => `"${createHash('sha1').update(`${pull.number}:${pull.version}`).digest('hex')}"`;
  const headOf = (branch: string) => {
    try {
      return git('rev-parse', '--verify', '-q', `refs/heads/${branch}`);
    } catch {
      return undefined;
    }
  };

  function pullBody(pull: Pull, simple: boolean) {
    const skeleton = simple
      ? ((sample(responseSchema('/repos/{owner}/{repo}/pulls', 'get', 200)) as unknown[])[0] ??
        sample(((responseSchema('/repos/{owner}/{repo}/pulls', 'get', 200) ?? {}) as { items?: Schema }).items))
      : sample(responseSchema('/repos/{owner}/{repo}/pulls/{pull_number}', 'get', 200));
    const s = skeleton as Record<string, Record<string, unknown>>;
    const url = `${base}/repos/${options.owner}/${options.repo}/pulls/${pull.number}`;
    return {
      ...s,
      url,
      html_url: `https://github.test/${options.owner}/${options.repo}/pull/${pull.number}`,
      number: pull.number,
      state: pull.state,
      title: pull.title,
      body: pull.body,
      user: user(bot),
      head: { ...s.head, ref: pull.head, sha: pull.headSha, label: `${options.owner}:${pull.head}`, user: user(options.owner) },
      base: { ...s.base, ref: pull.base, label: `${options.owner}:${pull.base}`, user: user(options.owner) },
      merge_commit_sha: pull.mergeCommit,
      merged_at: pull.merged ? '2026-01-01T00:00:00Z' : null,
      ...(simple
        ? {}
        : {
            merged: pull.merged,
            mergeable: pull.merged ? null : pull.computing > 0 ? null : true,
            merged_by: pull.mergedBy ? user(pull.mergedBy) : null,
          }),
    };
  }

  /** What GitHub's squash merge does: the branch's changes on top of main, one commit, the branch's author. */
  function squash(pull: Pull, title: string, message: string): string {
    const main = git('rev-parse', `refs/heads/${pull.base}`);
    let tree: string;
    try {
      tree = execFileSync('git', ['--git-dir', options.bareRepo, 'merge-tree', '--write-tree', main, pull.headSha], { encoding: 'utf8' }).split('\n')[0] ?? '';
    } catch {
      throw new NotMergeable();
    }
    const [name, email] = git('log', '-1', '--format=%an%n%ae', pull.headSha).split('\n');
    const commit = execFileSync('git', ['--git-dir', options.bareRepo, 'commit-tree', tree, '-p', main, '-m', title, '-m', message], {
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: 'GitHub', GIT_COMMITTER_EMAIL: 'noreply@github.test' },
    }).trim();
    git('update-ref', `refs/heads/${pull.base}`, commit, main);
    pull.state = 'closed';
    pull.merged = true;
    pull.mergeCommit = commit;
    pull.version += 1;
    if (knobs.autoDeleteHead) git('update-ref', '-d', `refs/heads/${pull.head}`);
    return commit;
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: string,
  ): Promise<{ status: number; json?: unknown; headers?: Record<string, string> }> {
    if (req.headers.authorization !== `token ${options.token}` && req.headers.authorization !== `Bearer ${options.token}`) {
      return { status: 401, json: { message: 'Bad credentials', documentation_url: 'https://docs.github.com' } };
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const prefix = `/repos/${options.owner}/${options.repo}`;
    const rest = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : '';
    const input = body ? (JSON.parse(body) as Record<string, string>) : {};
    const find = (n: string | undefined) => pulls.find((p) => p.number === Number(n));
    let m: RegExpExecArray | null;
    if (rest === '/pulls' && req.method === 'GET') {
      const head = url.searchParams.get('head')?.split(':')[1];
      if (knobs.listMissesOnce) {
        knobs.listMissesOnce = false;
        return { status: 200, json: [] };
      }
      const found = pulls.filter(
        (p) => (!head || p.head === head) && p.base === (url.searchParams.get('base') ?? p.base) && p.state === (url.searchParams.get('state') ?? 'open'),
      );
      return { status: 200, json: found.map((p) => pullBody(p, true)) };
    }
    if (rest === '/pulls' && req.method === 'POST') {
      const headSha = headOf(input.head ?? '');
      if (pulls.some((p) => p.head === input.head && p.state === 'open')) {
        return {
          status: 422,
          json: {
            message: 'Validation Failed',
            errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${options.owner}:${input.head}.` }],
            documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
          },
        };
      }
      if (!headSha) return { status: 422, json: { message: 'Validation Failed', errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }] } };
      const pull: Pull = {
        number: pulls.length + 1,
        head: input.head ?? '',
        headSha,
        base: input.base ?? 'main',
        title: input.title ?? '',
        body: input.body ?? '',
        state: 'open',
        merged: false,
        mergeCommit: null,
        mergedBy: null,
        reviews: [],
        computing: knobs.computingGets,
        version: 1,
      };
      pulls.push(pull);
      return { status: 201, json: pullBody(pull, false) };
    }
    if ((m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pull = find(m[1]);
      if (!pull) return { status: 404, json: { message: 'Not Found', documentation_url: '' } };
      if (req.method === 'PATCH') {
        if (input.state === 'closed' || input.state === 'open') pull.state = input.state;
        pull.version += 1;
        return { status: 200, json: pullBody(pull, false) };
      }
      const etag = etagOf(pull);
      if (req.headers['if-none-match'] === etag && pull.computing === 0) {
        notModified += 1;
        return { status: 304, headers: { etag } };
      }
      const answer = pullBody(pull, false);
      if (pull.computing > 0) pull.computing -= 1;
      return { status: 200, json: answer, headers: { etag } };
    }
    if ((m = /^\/pulls\/(\d+)\/reviews$/.exec(rest))) {
      const pull = find(m[1]);
      if (!pull) return { status: 404, json: { message: 'Not Found', documentation_url: '' } };
      const review = (r: Pull['reviews'][number]) => ({
        ...(sample(responseSchema('/repos/{owner}/{repo}/pulls/{pull_number}/reviews', 'post', 200)) as object),
        id: r.id,
        user: user(r.login),
        body: r.body,
        state: r.state,
        commit_id: r.commit,
        html_url: `https://github.test/${options.owner}/${options.repo}/pull/${pull.number}#review-${r.id}`,
        pull_request_url: `${base}/repos/${options.owner}/${options.repo}/pulls/${pull.number}`,
      });
      if (req.method === 'POST') {
        const r = {
          id: reviewIds++,
          login: bot,
          state: input.event === 'APPROVE' ? 'APPROVED' : 'COMMENTED',
          body: input.body ?? '',
          commit: input.commit_id ?? pull.headSha,
        };
        pull.reviews.push(r);
        pull.version += 1;
        return { status: 200, json: review(r) };
      }
      return { status: 200, json: pull.reviews.map(review) };
    }
    if ((m = /^\/pulls\/(\d+)\/merge$/.exec(rest)) && req.method === 'PUT') {
      const pull = find(m[1]);
      if (!pull) return { status: 404, json: { message: 'Not Found', documentation_url: '' } };
      if (knobs.conflictOnceOnMerge || (input.sha && input.sha !== pull.headSha)) {
        knobs.conflictOnceOnMerge = false;
        return { status: 409, json: { message: 'Head branch was modified. Review and try the merge again.', documentation_url: '' } };
      }
      if (pull.state !== 'open') return { status: 405, json: { message: 'Pull Request is not mergeable', documentation_url: '' } };
      let sha: string;
      try {
        sha = squash(pull, input.commit_title ?? pull.title, input.commit_message ?? '');
      } catch (error) {
        if (error instanceof NotMergeable) return { status: 405, json: { message: 'Pull Request is not mergeable', documentation_url: '' } };
        throw error;
      }
      pull.mergedBy = bot;
      return { status: 200, json: { sha, merged: true, message: 'Pull Request successfully merged' } };
    }
    if ((m = /^\/git\/refs\/(.+)$/.exec(rest)) && req.method === 'DELETE') {
      const ref = decodeURIComponent(m[1] ?? '');
      const branch = ref.replace(/^heads\//, '');
      // GitHub's description gives this 422 no body (the live API sends "Reference does not exist").
      if (!headOf(branch)) return { status: 422 };
      git('update-ref', '-d', `refs/heads/${branch}`);
      return { status: 204 };
    }
    return { status: 404, json: { message: 'Not Found', documentation_url: '' } };
  }

  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      void handle(req, res, body)
        .catch((error: unknown) => ({ status: 500, json: { message: String(error) } }) as { status: number; json?: unknown; headers?: Record<string, string> })
        .then((answer) => {
          const text = answer.json === undefined ? '' : JSON.stringify(answer.json);
          const path = (req.url ?? '').split('?')[0] ?? '';
          calls.push(`${req.method} ${path} ${answer.status}`);
          const contentType = text ? 'application/json; charset=utf-8' : null;
          if (answer.status !== 401) {
            problems.push(...checker.check({ method: req.method ?? 'GET', path, status: answer.status, contentType, text }));
          }
          res.writeHead(answer.status, {
            ...(contentType ? { 'content-type': contentType } : {}),
            'x-ratelimit-limit': '5000',
            'x-ratelimit-remaining': '4999',
            'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
            ...answer.headers,
          });
          res.end(text);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    pulls,
    problems,
    calls,
    knobs,
    notModified: () => notModified,
    /** A person's review on GitHub (the polled path). */
    review(number: number, login: string, state: 'APPROVED' | 'CHANGES_REQUESTED') {
      const pull = pulls.find((p) => p.number === number);
      if (!pull) throw new Error(`no pull request #${number}`);
      pull.reviews.push({ id: reviewIds++, login, state, body: '', commit: pull.headSha });
      pull.version += 1;
    },
    /** A person presses Merge on GitHub. */
    mergeAsPerson(number: number, login: string): string {
      const pull = pulls.find((p) => p.number === number);
      if (!pull) throw new Error(`no pull request #${number}`);
      const sha = squash(pull, `${pull.title} (#${pull.number})`, '');
      pull.mergedBy = login;
      return sha;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
