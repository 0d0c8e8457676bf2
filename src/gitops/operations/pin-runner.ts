import type { RunnerImage } from '../../domain/app-spec.js';
import { assertRunnerImage, setComponentImage } from '../../domain/runner-image.js';
import { RUNNER_COMPONENT } from '../../domain/layout.js';
import type { AppRef } from '../../domain/names.js';
import { NotFoundError } from '../../errors.js';
import type { PlanContext } from '../context.js';
import type { Operation } from '../operation.js';
import { StagedTree } from '../staged-tree.js';
import { appKeys, describeApps, stageRerender } from './rerender.js';

/**
 * Pins the runner image by digest: fleet-wide by editing the one line in
 * `components/runner` (a rollback is the revert of it), or for listed apps
 * by giving each its own pin, which later fleet pins leave alone.
 */
export function pinRunnerOperation(runner: RunnerImage, apps: readonly AppRef[] | undefined, ctx: PlanContext): Operation {
  assertRunnerImage(runner);
  const pinned = `${runner.image}@${runner.digest.slice(0, 'sha256:'.length + 12)}`;
  if (apps && apps.length > 0) {
    return {
      action: 'pin-runner',
      apps: appKeys(apps),
      subject: `pin runner for ${describeApps(apps)} to ${pinned}`,
      async plan(tree) {
        const staged = new StagedTree(tree);
        await stageRerender(staged, apps, ctx, (spec) => ({ ...spec, runner }));
        return staged.changes();
      },
    };
  }
  return {
    action: 'pin-runner',
    apps: [],
    subject: `pin runner fleet-wide to ${pinned}`,
    async plan(tree) {
      const text = await tree.readFile(RUNNER_COMPONENT);
      if (text === undefined) throw new NotFoundError(`${RUNNER_COMPONENT} is missing from the apps repository`);
      const staged = new StagedTree(tree);
      staged.write(RUNNER_COMPONENT, setComponentImage(text, runner));
      return staged.changes();
    },
  };
}
