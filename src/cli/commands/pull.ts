import { z } from 'zod';
import { COMMON, parse, open, appOf, command, str, userPath } from '../command-kit.js';
import { EXIT_OK, UsageError } from '../command.js';
import { writeAppDir } from '../app-dir.js';
import { readDraft } from '../draft-upload.js';

export const pullCommand = command(
  ['pull'],
  "write an app's draft (or a release) into a folder",
  `Usage: berth pull <app> [dir] [--release <commit>]

Writes the app's draft, or with --release the code of one release (its id or a unique prefix of
7+ characters), into a new or empty folder (default: ./<app>) with its berth.json, so you can edit
it with your own editor and Git, then berth push or berth deploy it back.

Options:
  --release <commit>  a release instead of the draft (berth releases lists them)
${COMMON}`,
  async (args, io) => {
    const { values, positionals } = parse(args);
    const named = positionals[0];
    if (!named || positionals.length > 2) throw new UsageError('expected <app> and optionally [dir]');
    const release = str(values.release)?.toLowerCase();
    if (release !== undefined && !/^[0-9a-f]{7,40}$/.test(release))
      throw new UsageError('--release takes a release id or a prefix of at least 7 hex characters');
    const client = await open(values.server);
    const app = await appOf(client, named);
    const code = release
      ? z
          .object({ commit: z.string(), entrypoint: z.string(), files: z.record(z.string(), z.string()) })
          .parse(await client.json('GET', `/api/v1/apps/${app.tenant}/${app.name}/releases/${release}/files`))
      : await readDraft(client, app.tenant, app.name);
    const dir = positionals[1] ?? app.name;
    await writeAppDir(userPath(dir), app.name, code.files, code.entrypoint);
    const from = 'commit' in code ? `release ${code.commit.slice(0, 12)}` : 'the draft';
    io.out(`Wrote ${Object.keys(code.files).length} files of ${app.tenant}/${app.name} (${from}) into ${dir}`);
    return EXIT_OK;
  },
);
