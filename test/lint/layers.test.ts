import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/*
 * The layer rules of eslint.config.js, run by the real ESLint on source text
 * placed (virtually) at a path: a pure folder importing I/O must fail
 * `npm run lint`, and the same line in an adapter must pass.
 */
const eslint = new ESLint({ cwd: join(import.meta.dirname, '..', '..') });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

const io = `import { readFileSync } from 'node:fs';\nexport const read = (p: string): string => readFileSync(p, 'utf8');\n`;

describe('layer rules', () => {
  it.each(['src/domain/x.ts', 'src/render/x.ts', 'src/gitops/operations/x.ts', 'src/validate/x.ts'])('refuses node:fs in %s', async (path) => {
    expect(await problems(path, io)).toEqual([expect.stringMatching(/^no-restricted-imports: .*Pure layer/)]);
  });

  it('allows node:fs in an adapter and in the composition root', async () => {
    expect(await problems('src/adapters/fs/x.ts', io)).toEqual([]);
    expect(await problems('src/compose-x.ts', io)).toEqual([]);
  });

  it('refuses the other I/O modules, clients and adapter imports in a pure folder', async () => {
    for (const line of [
      `import { Worker } from 'node:worker_threads';\nexport const W = Worker;\n`,
      `import { spawn } from 'child_process';\nexport const s = spawn;\n`,
      `import { MongoClient } from 'mongodb';\nexport const M = MongoClient;\n`,
      `import { createLocalGit } from '../adapters/git/index.js';\nexport const g = createLocalGit;\n`,
      `import { packageRoot } from '../package-paths.js';\nexport const r = packageRoot;\n`,
    ]) {
      expect(await problems('src/render/x.ts', line), line).toEqual([expect.stringMatching(/^no-restricted-imports: /)]);
    }
  });

  it('refuses the clock and timers in a pure folder, not elsewhere', async () => {
    const clock = `export const at = (): string => new Date().toISOString();\nexport const ms = (): number => Date.now();\n`;
    expect(await problems('src/gitops/x.ts', clock)).toHaveLength(2);
    expect(await problems('src/jobs/x.ts', clock)).toEqual([]);
    expect(await problems('src/domain/x.ts', `export const later = (f: () => void): void => void setTimeout(f, 1);\n`)).toHaveLength(1);
  });

  it('passes pure code that takes its inputs', async () => {
    const pure = `import { join } from 'node:path';\nimport { z } from 'zod';\nimport { InputError } from '../errors.js';\nexport const at = (now: () => Date): string => join(now().toISOString(), z.string().parse('x'), new InputError('x').code);\n`;
    expect(await problems('src/domain/x.ts', pure)).toEqual([]);
  });
});
