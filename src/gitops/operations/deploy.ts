import type { AppSpec } from '../../domain/app-spec.js';
import { commitNoteProblem } from '../../domain/commit-text.js';
import { assertCodePath } from '../../domain/code-paths.js';
import { appOwnedPaths } from '../../domain/layout.js';
import { appKey, appRef } from '../../domain/names.js';
import { InputError } from '../../errors.js';
import { TEMPLATE_VERSION } from '../../render/index.js';
import { readAppState, stageApp, type SecretUpdate } from '../app-tree.js';
import type { PlanContext } from '../context.js';
import { syncIndex } from '../index-files.js';
import type { Operation } from '../operation.js';
import { StagedTree } from '../staged-tree.js';

export interface DeployInput {
  readonly tenant: string;
  readonly app: string;
  readonly owner: string;
  readonly entrypoint: string;
  readonly files: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
  /** Names of secret variables; their values travel only inside `secretSopsYaml`. */
  readonly secretEnv?: readonly string[];
  /** A new SOPS-encrypted secret document; absent keeps the app's current one. */
  readonly secretSopsYaml?: string;
  /** The person's note, shown in the commit subject. */
  readonly message?: string;
}

/**
 * Deploy = render the app from the submitted spec and make its folder hold
 * exactly that. A deploy also wakes a sleeping app; a per-app runner pin
 * survives it (pins are an operator's decision, not the editor's).
 */
export function deployOperation(input: DeployInput, ctx: PlanContext): Operation {
  const ref = appRef(input.tenant, input.app);
  for (const path of Object.keys(input.files)) assertCodePath(path);
  if (!(input.entrypoint in input.files)) {
    throw new InputError(`entrypoint ${JSON.stringify(input.entrypoint)} is not one of the app's files`, { entrypoint: input.entrypoint });
  }
  const secretEnv = [...new Set(input.secretEnv ?? [])].sort();
  const note = input.message?.trim();
  const noteProblem = note ? commitNoteProblem(note) : undefined;
  if (noteProblem) throw new InputError(`deploy message ${noteProblem}`);
  return {
    action: 'deploy',
    apps: [appKey(ref)],
    subject: `deploy ${appKey(ref)}${note ? `: ${note}` : ''}`,
    guardPaths: appOwnedPaths(ref),
    async plan(tree) {
      const current = await readAppState(tree, ref);
      const secret: SecretUpdate = input.secretSopsYaml !== undefined ? { kind: 'replace', sopsYaml: input.secretSopsYaml } : { kind: 'keep' };
      if (secretEnv.length > 0 && secret.kind === 'keep' && !current?.secretEnv.length) {
        throw new InputError('secret variables were named but no encrypted secret was given', { secretEnv });
      }
      const spec: AppSpec = {
        tenant: ref.tenant,
        app: ref.app,
        owner: current?.owner ?? input.owner,
        entrypoint: input.entrypoint,
        files: input.files,
        env: input.env,
        secretEnv,
        ...(current?.runner ? { runner: current.runner } : {}),
        replicas: 1,
        templateVersion: TEMPLATE_VERSION,
      };
      const staged = new StagedTree(tree);
      await stageApp(staged, spec, ctx, secret);
      if (!current) await syncIndex(staged, [ref.tenant], ctx);
      return staged.changes();
    },
  };
}
