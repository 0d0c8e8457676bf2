import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initAppsRepo } from '../../adapters/git/init-repo.js';
import type { RunnerImage } from '../../domain/app-spec.js';
import type { Person } from '../../ports/git.js';
import { EXIT_OK, UsageError, type CliIo, type Command } from '../command.js';
import { appsRepoSkeletonDir } from '../../package-paths.js';

const DEFAULT_AUTHOR = 'Berth <berth@localhost>';

const usage = `Usage: berth repo init <path> --runner-image <image>@sha256:<hex> [--author "Name <email>"]

Creates a new bare apps repository at <path> (which must not exist or be
empty) from Berth's apps-repo skeleton: one commit on main, HEAD -> main.

Options:
  --runner-image <image>@sha256:<hex>  the fleet-wide runner image, by digest (required:
                                       every app runs it, and a wrong pin fails them all)
  --placeholder-runner-image           for tests only: keep the skeleton's placeholder
                                       pin (sha256:000…), which no registry has; Berth
                                       warns about it at start-up and in GET /system
  --author "Name <email>"              author of the initial commit (default: ${DEFAULT_AUTHOR})
  -h, --help                           show this help

Exit codes: 0 created; 1 not created (e.g. <path> is not empty); 2 bad arguments.`;

/** `berth repo init`: create an apps repository from the skeleton. */
export const repoInitCommand: Command = {
  name: ['repo', 'init'],
  summary: 'create a new bare apps repository from the skeleton',
  usage,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseRepoInitArgs(args);
    if (parsed === 'help') {
      io.out(usage);
      return EXIT_OK;
    }
    const gitdir = resolve(parsed.path);
    const commit = await initAppsRepo({
      skeletonDir: appsRepoSkeletonDir(),
      gitdir,
      author: parsed.author,
      ...(parsed.runnerImage ? { runnerImage: parsed.runnerImage } : {}),
    });
    io.out(
      [
        `Created apps repository ${gitdir} (bare): main at ${commit}`,
        'Next, push it to the Git host your cluster\'s GitRepository "berth-apps" reads, e.g.',
        `  git -C ${JSON.stringify(gitdir)} push https://github.com/<org>/<repo>.git main`,
      ].join('\n'),
    );
    return EXIT_OK;
  },
};

interface RepoInitArgs {
  readonly path: string;
  readonly author: Person;
  readonly runnerImage?: RunnerImage;
}

/** @throws UsageError for anything the command line gets wrong. */
export function parseRepoInitArgs(args: readonly string[]): RepoInitArgs | 'help' {
  const { values, positionals } = parseOrUsage(args);
  if (values.help) return 'help';
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError('expected exactly one <path>');
  const author = parseAuthor(values.author ?? DEFAULT_AUTHOR);
  const placeholder = values['placeholder-runner-image'] === true;
  if (placeholder && values['runner-image'] !== undefined) throw new UsageError('give either --runner-image or --placeholder-runner-image, not both');
  if (!placeholder && values['runner-image'] === undefined) {
    throw new UsageError(
      '--runner-image <image>@sha256:<hex> is required: every app runs the fleet-wide runner image (--placeholder-runner-image keeps a placeholder, for tests only)',
    );
  }
  const runnerImage = values['runner-image'] === undefined ? undefined : parseImageRef(values['runner-image']);
  return { path: positionals[0], author, ...(runnerImage ? { runnerImage } : {}) };
}

function parseOrUsage(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        'runner-image': { type: 'string' },
        'placeholder-runner-image': { type: 'boolean' },
        author: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    // parseArgs reports unknown options and missing values as TypeErrors.
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/**
 * `<image>@sha256:<hex>`: a digest is required because a tag can be moved
 * under a pin. The shape of each part is checked again by initAppsRepo.
 */
export function parseImageRef(ref: string): RunnerImage {
  const at = ref.lastIndexOf('@');
  const image = at > 0 ? ref.slice(0, at) : '';
  const digest = at > 0 ? ref.slice(at + 1) : '';
  if (!image || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new UsageError(`--runner-image ${JSON.stringify(ref)} must be <image>@sha256:<64 lower-case hex>`);
  }
  if (image.slice(image.lastIndexOf('/') + 1).includes(':')) {
    throw new UsageError(`--runner-image ${JSON.stringify(ref)} must not carry a tag: the pin is the digest alone`);
  }
  return { image, digest };
}

function parseAuthor(text: string): Person {
  const match = /^\s*([^<>]+?)\s*<([^<>\s]+)>\s*$/.exec(text);
  if (!match?.[1] || !match[2]) throw new UsageError(`--author ${JSON.stringify(text)} must look like "Name <email>"`);
  return { name: match[1], email: match[2] };
}
