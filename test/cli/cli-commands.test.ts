import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { client, freePort, startServer, type RunningServer } from '../e2e/server.js';

/*
 * Every `berth` command against the real server, each failure included: what
 * a person sees (the exact words) and the exit code a script sees.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const PASSWORD = 'correct horse battery staple';
let server: RunningServer;
let dataDir: string;
let home: string;
let token: string;

interface Run {
  code: number;
  out: string;
  err: string;
}

/** `berth ...` in-process; `input` answers prompts (one line each), `interactive` says whether a person is at a terminal. */
async function berth(args: string[], options: { input?: string[]; interactive?: boolean } = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const input = [...(options.input ?? [])];
  const code = await main(args, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readLine: () => Promise.resolve(input.shift()),
    interactive: options.interactive ?? false,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The real command as a person runs it (a child process, stdin a pipe). */
function spawnBerth(command: string, args: string[], options: { cwd: string; stdin?: string; env?: Record<string, string> }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, 'config'), ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out: out.trimEnd(), err: err.trimEnd() }));
    // A command that never reads its stdin closes it: that is not a failure of the test.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}

const api = () => client(server.url);
const newDir = (name: string) => join(home, name);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'berth-cli2-server-'));
  home = mkdtempSync(join(tmpdir(), 'berth-cli2-home-'));
  server = await startServer(dataDir);
  token = await api().signup('carol');
  process.env.XDG_CONFIG_HOME = join(home, 'config');
  delete process.env.BERTH_PASSWORD;
}, 90_000);
afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

describe('berth --help and failures before any server', () => {
  it('documents one exit code per class of failure', async () => {
    const help = await berth(['--help']);
    expect(help.code).toBe(0);
    for (const line of ['  2  usage:', '  3  auth:', '  4  refused:', '  5  unavailable:']) expect(help.out).toContain(line);
    for (const word of ['env set', 'env unset', 'push', 'pull', 'sleep', 'wake', 'delete', 'completion']) expect(help.out).toContain(`berth ${word}`);
  });

  it('an unreachable server exits 5 and says which server; not logged in exits 3', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await berth(['login', '--username', 'carol', '--server', closed], { input: [PASSWORD] });
    expect(unreachable).toMatchObject({ code: 5, out: '' });
    expect(unreachable.err).toBe(`error: cannot reach the Berth server at ${closed}: connect ECONNREFUSED ${closed.slice(7)}`);
    const anonymous = await berth(['apps', '--server', 'http://127.0.0.1:9']);
    expect(anonymous).toEqual({ code: 3, out: '', err: 'error: not logged in to http://127.0.0.1:9: run berth login' });
  });
});

describe('berth against the real server', () => {
  it('login: the server says why a password is refused (exit 3); a piped password is read without a prompt', async () => {
    const wrong = await berth(['login', '--username', 'carol', '--server', server.url], { input: ['not it'] });
    expect(wrong.code).toBe(3);
    expect(wrong.err).toBe('error: wrong username or password');
    const prompted = await berth(['login', '--username', 'carol', '--server', server.url], { input: [PASSWORD], interactive: true });
    expect(prompted).toEqual({ code: 0, out: `Logged in to ${server.url} as carol`, err: 'password: ' });
    const piped = await spawnBerth(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'login', '--username', 'carol', '--server', server.url], {
      cwd: ROOT,
      stdin: `${PASSWORD}\n`,
    });
    expect(piped).toEqual({ code: 0, out: `Logged in to ${server.url} as carol`, err: '' });
  });

  it('login at a terminal prompts and does not echo the password (a real pty, via script(1))', async () => {
    const hasScript = spawnSync('script', ['--version']).status === 0;
    if (!hasScript) {
      if (process.env.CI === 'true') throw new Error('script(1) (util-linux) is needed for the terminal prompt test');
      console.warn('SKIPPED: script(1) missing, the terminal prompt test did not run');
      return;
    }
    const command = `${process.execPath} --import tsx src/cli/main.ts login --username carol --server ${server.url}`;
    const output = await new Promise<string>((resolve) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, 'config') },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let text = '';
      let typed = false;
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        // Typed only once the prompt is up: the terminal is then in no-echo mode.
        if (!typed && text.includes('password: ')) {
          typed = true;
          child.stdin.write(`${PASSWORD}\r`);
        }
      });
      child.on('close', () => resolve(text));
    });
    expect(output).toContain('password: ');
    expect(output).toContain(`Logged in to ${server.url} as carol`);
    expect(output).not.toContain(PASSWORD);
  }, 60_000);

  it('init checks the name with the server rule before writing anything', async () => {
    const upper = await berth(['init', newDir('x'), '--template', 'hello', '--name', 'My_App']);
    expect(upper.code).toBe(2);
    expect(upper.err.split('\n')[0]).toBe(
      'error: app name "My_App" must be lower-case letters, digits and single hyphens, starting with a letter and ending with a letter or digit',
    );
    const dashes = await berth(['init', newDir('a--b'), '--template', 'hello']);
    expect(dashes.code).toBe(2);
    expect(dashes.err.split('\n')[0]).toBe('error: app name "a--b" must not contain "--" (it comes from the folder name; pass --name <app> to choose another)');
    expect(existsSync(newDir('x'))).toBe(false);
    expect(existsSync(newDir('a--b'))).toBe(false);
    const unknown = await berth(['init', newDir('y'), '--template', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^error: no template nope; the starters are:\n {2}hello /m);
  });

  it('deploy refuses files it cannot upload, naming each and why; .berthignore leaves them out and says so', async () => {
    const dir = newDir('greeter');
    expect((await berth(['init', dir, '--template', 'hello'])).code).toBe(0);
    writeFileSync(join(dir, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1]));
    writeFileSync(join(dir, 'Helpers.py'), 'def greet():\n    return "hi"\n');
    writeFileSync(join(dir, '.env'), 'TOKEN=x\n');
    writeFileSync(join(dir, 'big.txt'), 'x'.repeat(200 * 1024));
    const refused = await berth(['deploy', dir]);
    expect(refused.code).toBe(4);
    expect(refused.err).toBe(
      [
        `error: 4 file(s) in ${dir} cannot be uploaded; nothing was sent. Fix them or list them in .berthignore (gitignore syntax):`,
        '  .env: hidden (name starts with "."); add it to .berthignore',
        '  big.txt: size 204800 bytes is over the 102400-byte limit per file',
        '  Helpers.py: upper-case letters: Berth paths are lower-case (rename it to helpers.py)',
        '  logo.png: extension .png is not one Berth serves (.py, .html, .css, .js, .json, .svg, .txt, .md); add it to .berthignore',
      ].join('\n'),
    );
    expect((await api().call('GET', '/api/v1/apps/carol/greeter', { token })).status).toBe(404);

    writeFileSync(join(dir, '.berthignore'), '# local only\n.env\n*.png\nbig.txt\n');
    rmSync(join(dir, 'Helpers.py'));
    const deployed = await berth(['deploy', dir, '--message', 'first']);
    expect(deployed.code, deployed.err).toBe(0);
    expect(deployed.out).toMatch(/^Deploying carol\/greeter \(\d+ files?, 3 ignored by \.berthignore\), deployment \S+$/m);
    expect(deployed.out).toMatch(/committed as [0-9a-f]{40}$/);
  });

  it('an unchanged deploy names the app and its own latest release, not the branch head', async () => {
    const other = newDir('second');
    expect((await berth(['init', other, '--template', 'hello'])).code).toBe(0);
    const second = await berth(['deploy', other]);
    expect(second.code, second.err).toBe(0);
    const head = /committed as ([0-9a-f]{40})/.exec(second.out)?.[1];
    const releases = JSON.parse((await berth(['releases', '--app', 'greeter', '--json'])).out) as { releases: { commit: string }[] };
    const latest = releases.releases[0]?.commit ?? '';
    expect(latest).not.toBe(head);
    const again = await berth(['deploy', newDir('greeter')]);
    expect(again.code, again.err).toBe(0);
    expect(again.out.split('\n').at(-1)).toBe(`no changes: carol/greeter is already at ${latest}`);
  });

  it('deploy prints the server message with file:line:col of each problem (exit 4), and the field at fault for a bad name', async () => {
    const broken = newDir('broken');
    await berth(['init', broken, '--template', 'hello']);
    writeFileSync(join(broken, 'main.py'), 'app = (\n');
    const refused = await berth(['deploy', broken]);
    expect(refused.code).toBe(4);
    expect(refused.err.split('\n')[0]).toMatch(/^error: .+/);
    expect(refused.err).toMatch(/^ {2}main\.py:\d+:\d+ {2}.+ {2}\[syntax\]$/m);

    const badName = newDir('badname');
    await berth(['init', badName, '--template', 'hello']);
    writeFileSync(join(badName, 'berth.json'), JSON.stringify({ name: 'My_App', entrypoint: 'main.py' }));
    const invalid = await berth(['deploy', badName]);
    expect(invalid.code).toBe(4);
    expect(invalid.err).toMatch(/^error: invalid param\n {2}app: .*lower-case/);
  });

  it('releases, status and apps take --json; rollback takes a 12- or 7-character prefix and refuses others in the server words', async () => {
    const releases = await berth(['releases', '--app', 'greeter']);
    expect(releases.code).toBe(0);
    const shortId = releases.out.split('\n')[0]?.split(' ')[0] ?? '';
    expect(shortId).toMatch(/^[0-9a-f]{12}$/);
    const rollback = await berth(['rollback', shortId, '--app', 'greeter']);
    expect(rollback.code, rollback.err).toBe(0);
    expect(rollback.out.split('\n')[0]).toBe(`Rolling back carol/greeter to ${shortId}`);
    expect(rollback.out.split('\n').at(-1)).toMatch(/^(committed as [0-9a-f]{40}|no changes: carol\/greeter is already at [0-9a-f]{40})$/);
    expect((await berth(['rollback', shortId.slice(0, 7), '--app', 'greeter'])).code).toBe(0);

    const missing = await berth(['rollback', '0000000', '--app', 'greeter']);
    expect(missing).toEqual({ code: 4, out: '', err: 'error: commit 0000000 is not a release of carol/greeter; GET .../releases lists them' });
    const short = await berth(['rollback', 'abc', '--app', 'greeter']);
    expect(short.code).toBe(2);
    expect(short.err.split('\n')[0]).toBe('error: expected a <commit>: a release id or a prefix of at least 7 hex characters (berth releases lists them)');

    const status = JSON.parse((await berth(['status', '--app', 'greeter', '--json'])).out) as { git: { commit: string } };
    expect(status.git.commit).toMatch(/^[0-9a-f]{40}$/);
    const apps = JSON.parse((await berth(['apps', '--json'])).out) as { apps: { name: string }[] };
    // broken was created by its refused deploy (the draft is kept); badname never reached the server.
    expect(apps.apps.map((a) => a.name).sort()).toEqual(['broken', 'greeter', 'second']);
    const badName = await berth(['status', '--app', 'Bad_Name']);
    expect(badName).toEqual({
      code: 4,
      out: '',
      err: 'error: invalid param\n  app: app name must be lower-case letters, digits and single hyphens, starting with a letter and ending with a letter or digit',
    });
  });

  it('env lists, sets plain and secret values (stdin, never echoed) and unsets; the draft keeps its files', async () => {
    expect(await berth(['env', '--app', 'greeter'])).toEqual({ code: 0, out: 'carol/greeter has no env vars: berth env set KEY=VALUE', err: '' });
    expect(await berth(['env', 'set', 'GREETING=hello there', '--app', 'greeter'])).toEqual({
      code: 0,
      out: 'Set GREETING on the draft of carol/greeter; berth deploy releases it',
      err: '',
    });
    const secret = await berth(['env', 'set', '--secret', 'API_TOKEN', '--app', 'greeter'], { input: ['s3cr3t-value'] });
    expect(secret).toEqual({ code: 0, out: 'Set API_TOKEN (secret) on the draft of carol/greeter; berth deploy releases it', err: '' });
    const prompted = await berth(['env', 'set', '--secret', 'OTHER', '--app', 'greeter'], { input: ['typed'], interactive: true });
    expect(prompted.err).toBe('value of OTHER: ');
    const listed = await berth(['env', '--app', 'greeter']);
    expect(listed.out).toBe('API_TOKEN (secret)\nGREETING=hello there\nOTHER (secret)');
    expect(listed.out).not.toContain('s3cr3t');
    const json = JSON.parse((await berth(['env', '--app', 'greeter', '--json'])).out) as { env: Record<string, unknown> };
    expect(json.env.API_TOKEN).toEqual({ secret: true });

    // Setting another variable keeps the secret's sealed value: it is still there and still secret.
    await berth(['env', 'unset', 'OTHER', '--app', 'greeter']);
    expect((await berth(['env', '--app', 'greeter'])).out).toBe('API_TOKEN (secret)\nGREETING=hello there');
    const app = (await api().call('GET', '/api/v1/apps/carol/greeter', { token })).body as { app: { draft: { files: Record<string, string> } } };
    expect(Object.keys(app.app.draft.files)).toContain('main.py');

    const gone = await berth(['env', 'unset', 'NOPE', '--app', 'greeter']);
    expect(gone).toEqual({ code: 4, out: '', err: 'error: carol/greeter has no env var NOPE (berth env lists them)' });
    const inline = await berth(['env', 'set', '--secret', 'K=v', '--app', 'greeter']);
    expect(inline.code).toBe(2);
    expect(inline.err.split('\n')[0]).toBe('error: with --secret give only KEY: the value is read from stdin or a prompt, never the command line');
    const noValue = await berth(['env', 'set', '--secret', 'EMPTY', '--app', 'greeter'], { input: [] });
    expect(noValue.err.split('\n')[0]).toBe('error: no value given for EMPTY (pipe one line to stdin, or type it at the prompt)');
    const badKey = await berth(['env', 'set', 'lower case=1', '--app', 'greeter']);
    expect(badKey.code).toBe(4);
    expect(badKey.err).toMatch(/^error: invalid body\n {2}env\.lower case: /);
  });

  it('push puts a folder into the draft without deploying; pull writes the draft or a release into a folder', async () => {
    const dir = newDir('greeter');
    writeFileSync(join(dir, 'main.py'), 'from fastapi import FastAPI\n\napp = FastAPI()  # pushed\n');
    const before = (await berth(['releases', '--app', 'greeter'])).out.split('\n').length;
    const pushed = await berth(['push', dir]);
    expect(pushed.code, pushed.err).toBe(0);
    expect(pushed.out).toMatch(/^Pushed \d+ files?, 3 ignored by \.berthignore into the draft of carol\/greeter; not deployed: berth deploy releases it$/);
    expect((await berth(['releases', '--app', 'greeter'])).out.split('\n')).toHaveLength(before);

    const draftCopy = newDir('draft-copy');
    const pulled = await berth(['pull', 'greeter', draftCopy]);
    expect(pulled.code, pulled.err).toBe(0);
    expect(pulled.out).toMatch(new RegExp(`^Wrote \\d+ files of carol/greeter \\(the draft\\) into ${draftCopy}$`));
    expect(readFileSync(join(draftCopy, 'main.py'), 'utf8')).toContain('# pushed');
    expect(JSON.parse(readFileSync(join(draftCopy, 'berth.json'), 'utf8'))).toMatchObject({ name: 'greeter' });

    const releases = JSON.parse((await berth(['releases', '--app', 'greeter', '--json'])).out) as { releases: { commit: string; message: string }[] };
    const first = releases.releases.at(-1)?.commit ?? '';
    const releaseCopy = newDir('release-copy');
    const fromRelease = await berth(['pull', 'greeter', releaseCopy, '--release', first.slice(0, 9)]);
    expect(fromRelease.code, fromRelease.err).toBe(0);
    expect(fromRelease.out).toContain(`(release ${first.slice(0, 12)})`);
    expect(readFileSync(join(releaseCopy, 'main.py'), 'utf8')).not.toContain('# pushed');

    const notEmpty = await berth(['pull', 'greeter', draftCopy]);
    expect(notEmpty).toMatchObject({ code: 2, err: `error: ${draftCopy} is not empty` });
    const noRelease = await berth(['pull', 'greeter', newDir('nothing'), '--release', '1234567']);
    expect(noRelease).toEqual({ code: 4, out: '', err: 'error: commit 1234567 is not a release of carol/greeter; GET .../releases lists them' });
    expect(existsSync(newDir('nothing'))).toBe(false);
  });

  it('sleep and wake commit at once and say so; a second sleep is no change', async () => {
    const slept = await berth(['sleep', '--app', 'greeter']);
    expect(slept.code, slept.err).toBe(0);
    expect(slept.out).toMatch(/^carol\/greeter is asleep \(replicas 0\), committed as [0-9a-f]{40}$/);
    expect(await berth(['sleep', '--app', 'greeter'])).toEqual({ code: 0, out: 'no changes: carol/greeter is already asleep', err: '' });
    const woke = await berth(['wake', '--app', 'greeter']);
    expect(woke.out).toMatch(/^carol\/greeter is awake \(replicas 1\), committed as [0-9a-f]{40}$/);
    const missing = await berth(['wake', '--app', 'nobody']);
    expect(missing).toEqual({ code: 4, out: '', err: 'error: app carol/nobody does not exist' });
  });

  it('delete asks for the name, refuses without a terminal unless --yes, and deletes with it', async () => {
    const noTerminal = await berth(['delete', 'second']);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.err.split('\n')[0]).toBe('error: not deleting carol/second without confirmation: no terminal to ask on, pass --yes');
    const wrong = await berth(['delete', 'second'], { input: ['greeter'], interactive: true });
    expect(wrong).toEqual({ code: 1, out: '', err: 'Delete carol/second? Type its name (second) to confirm: \nNot deleted: "greeter" is not second' });
    const confirmed = await berth(['delete', 'second'], { input: ['second'], interactive: true });
    expect(confirmed.code, confirmed.err).toBe(0);
    expect(confirmed.out.split('\n')[0]).toBe('Deleting carol/second');
    const apps = JSON.parse((await berth(['apps', '--json'])).out) as { apps: { name: string }[] };
    expect(apps.apps.map((a) => a.name).sort()).toEqual(['broken', 'greeter']);
    const again = await berth(['delete', 'second', '--yes']);
    expect(again).toEqual({ code: 4, out: '', err: 'error: app carol/second does not exist' });
  });

  it('runs from inside an app folder through npm (INIT_CWD)', async () => {
    const dir = newDir('greeter');
    const viaNpm = await spawnBerth('npm', ['--prefix', ROOT, 'run', '-s', 'berth', '--', 'status'], { cwd: dir });
    expect(viaNpm.code, viaNpm.err).toBe(0);
    expect(viaNpm.out.split('\n')[0]).toBe('carol/greeter');
  }, 60_000);

  it('logs, open and templates take --json too; logs refuses a bad --tail before asking the server', async () => {
    const logs = await berth(['logs', '--app', 'greeter', '--json']);
    expect(logs.code, logs.err).toBe(0);
    expect(JSON.parse(logs.out)).toHaveProperty('lines');
    const opened = await berth(['open', '--app', 'greeter', '--json']);
    expect(opened.code, opened.err).toBe(0);
    expect((JSON.parse(opened.out) as { runtime: { url: string } }).runtime.url).toMatch(/greeter--carol/);
    const templates = JSON.parse((await berth(['templates', '--json'])).out) as { templates: { id: string }[] };
    expect(templates.templates.map((t) => t.id)).toContain('hello');
    const tail = await berth(['logs', '--app', 'greeter', '--tail', 'many']);
    expect(tail.code).toBe(2);
    expect(tail.err.split('\n')[0]).toBe('error: --tail must be a whole number from 0 to 2000');
  });

  it('completion prints a script bash accepts, with every command; another shell is a usage error', async () => {
    const bash = await berth(['completion', 'bash']);
    expect(bash.code).toBe(0);
    expect(bash.out).toContain('complete -F _berth berth');
    expect(bash.out).toContain('"set unset"');
    const script = join(home, 'completion.bash');
    writeFileSync(script, bash.out);
    const checked = await spawnBerth('bash', ['-n', script], { cwd: home });
    expect(checked).toEqual({ code: 0, out: '', err: '' });
    for (const shell of ['zsh', 'fish']) expect((await berth(['completion', shell])).out).toContain('pull');
    const other = await berth(['completion', 'tcsh']);
    expect(other.code).toBe(2);
    expect(other.err.split('\n')[0]).toBe('error: expected one of bash, zsh, fish, got "tcsh"');
  });
});
