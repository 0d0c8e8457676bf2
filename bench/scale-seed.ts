import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * Like seedWithFastImport, but streamed into `git fast-import` with
 * backpressure: a 100,000-app repository is ~700,000 files, which the
 * in-memory variant would hold twice over. The result is one pack.
 */
export async function seedStreaming(gitdir: string, files: Iterable<readonly [string, string]>, branch = 'main'): Promise<number> {
  execFileSync('git', ['init', '--bare', '-q', '-b', branch, gitdir]);
  const child = spawn('git', [`--git-dir=${gitdir}`, 'fast-import', '--quiet', '--done'], { stdio: ['pipe', 'ignore', 'inherit'] });
  const exited = once(child, 'exit');
  const write = async (chunk: Buffer | string) => {
    if (!child.stdin.write(chunk)) await once(child.stdin, 'drain');
  };
  const message = 'seed\n';
  await write(`commit refs/heads/${branch}\ncommitter Bench <bench@berth.invalid> 1700000000 +0000\ndata ${Buffer.byteLength(message)}\n${message}`);
  let count = 0;
  for (const [path, content] of files) {
    const data = Buffer.from(content, 'utf8');
    await write(`M 100644 inline ${path}\ndata ${data.length}\n`);
    await write(data);
    await write('\n');
    count++;
  }
  await write('\ndone\n');
  child.stdin.end();
  const [code] = (await exited) as [number | null];
  if (code !== 0) throw new Error(`git fast-import exited with ${code}`);
  return count;
}
