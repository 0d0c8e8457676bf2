import { COMMON, parse, str, open, command, finishDeployment, userPath } from '../command-kit.js';
import { filesSummary, uploadDraft } from '../draft-upload.js';
import { printAwaitingReview } from './review.js';

export const deployCommand = command(
  ['deploy'],
  'upload a folder and deploy it, showing the live timeline',
  `Usage: berth deploy [dir] [--message <text>] [--wait]

Uploads every file of the folder (default: this one) into the app's draft, then deploys it.
A file Berth cannot take (hidden, upper-case, another extension, over 100 KB, not text) refuses
the deploy with a list; name files to leave out in .berthignore (gitignore syntax). berth.json,
.berthignore, .git/ and __pycache__/ are never uploaded.

Options:
  --message <text>  note for the commit subject
  --wait            in review mode, wait for the reviewer's verdict
${COMMON}`,
  async (args, io) => {
    const { values, positionals } = parse(args);
    const client = await open(values.server);
    const uploaded = await uploadDraft(client, userPath(positionals[0]));
    const base = `/api/v1/apps/${uploaded.tenant}/${uploaded.name}`;
    const accepted = await client.json('POST', `${base}/deploy`, { ...(str(values.message) ? { message: str(values.message) } : {}) });
    return finishDeployment(client, accepted, io, (id) => `Deploying ${uploaded.tenant}/${uploaded.name} (${filesSummary(uploaded)}), deployment ${id}`, {
      wait: values.wait === true,
      awaiting: (final) => printAwaitingReview(client, final.changeRequest, io),
    });
  },
);
