import { z } from 'zod';
import { COMMON, parse, str, open, command, followTimeline, printProblems, deploymentSchema } from '../command-kit.js';
import { EXIT_FAILED, EXIT_OK } from '../command.js';
import { readAppFile, readCodeFiles } from '../app-dir.js';
import { ApiError } from '../api-client.js';
import { printAwaitingReview } from './review.js';

export const deployCommand = command(
  ['deploy'],
  'upload a folder and deploy it, showing the live timeline',
  `Usage: berth deploy [dir] [--message <text>] [--wait]\n\nOptions:\n  --message <text>  note for the commit subject\n  --wait            in review mode, wait for the reviewer's verdict\n${COMMON}`,
  async (args, io) => {
    const { values, positionals } = parse(args);
    const dir = positionals[0] ?? '.';
    const client = await open(values.server);
    const appFile = await readAppFile(dir);
    const files = await readCodeFiles(dir);
    const base = `/api/v1/apps/${client.username}/${appFile.name}`;
    try {
      const current = z.object({ app: z.object({ draft: z.object({ env: z.record(z.string(), z.unknown()) }) }) }).parse(await client.json('GET', base));
      // Keep the env set in the UI; secret values stay on the server ({secret: true} keeps them).
      await client.json('PUT', `${base}/draft`, { files, entrypoint: appFile.entrypoint, env: current.app.draft.env });
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
      await client.json('POST', '/api/v1/apps', { name: appFile.name, files, entrypoint: appFile.entrypoint });
    }
    let accepted: unknown;
    try {
      accepted = await client.json('POST', `${base}/deploy`, { ...(str(values.message) ? { message: str(values.message) } : {}) });
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) return printProblems(err, io);
      throw err;
    }
    const deployment = z.object({ deployment: deploymentSchema }).parse(accepted).deployment;
    io.out(`Deploying ${client.username}/${appFile.name} (${Object.keys(files).length} files), deployment ${deployment.id}`);
    const final = await followTimeline(client, deployment.id, io, values.wait === true ? undefined : 'awaiting_review');
    if (final.status === 'awaiting_review') return printAwaitingReview(client, final.changeRequest, io);
    if (final.status === 'rejected') {
      io.err(`Rejected in review: ${final.error ?? `see berth review show ${final.changeRequest ?? ''}`}`);
      return EXIT_FAILED;
    }
    if (final.status === 'failed') {
      io.err(`Deploy failed: ${final.error ?? 'see berth status'}`);
      return EXIT_FAILED;
    }
    io.out(`${final.status}${final.commit ? ` as ${final.commit}` : ''}`);
    return EXIT_OK;
  },
);
