import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { GitUnavailableError } from '../../errors.js';

export type RawType = 'blob' | 'tree' | 'commit' | 'tag';

export interface RawObject {
  readonly type: RawType;
  readonly content: Buffer;
}

interface Pending {
  readonly oid: string;
  resolve(found: RawObject | undefined): void;
  reject(error: Error): void;
}

/** Thrown when there is no `git` to run: the caller falls back to reading packs itself. */
export class GitMissingError extends Error {}

/**
 * One long-lived `git cat-file --batch` per repository, for objects in
 * packs. git maps a pack and reads an object by its offset from the pack
 * index, so this process never holds a pack in memory; isomorphic-git reads
 * the whole pack file into the heap on first use (337 MiB for a packed
 * 100,000-app repository) and builds a map of every object id. Requests are
 * pipelined: git answers in order, so replies are matched to a FIFO queue.
 * A request unanswered after `timeoutMs` kills the process (every pending
 * read fails as transient) and the next read starts a new one.
 */
export class CatFileBatch {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly queue: Pending[] = [];
  private buffered: Buffer = Buffer.alloc(0);
  private timer: NodeJS.Timeout | undefined;
  private missing = false;
  private restartWhenIdle = false;

  constructor(
    private readonly gitdir: string,
    private readonly timeoutMs = 30_000,
  ) {}

  /** The object, or undefined when git does not have it. */
  read(oid: string): Promise<RawObject | undefined> {
    if (this.missing) return Promise.reject(new GitMissingError('git is not installed'));
    const child = this.child ?? this.start();
    return new Promise((resolve, reject) => {
      this.queue.push({ oid, resolve, reject });
      if (this.queue.length === 1) this.arm(child);
      child.stdin.write(`${oid}\n`);
    });
  }

  /**
   * After a repack: once nothing is pending, end the process so that git
   * lets go of the deleted packs it still maps; the next read starts a new
   * one. (Until then it still finds every object: on a miss git rescans the
   * pack folder.)
   */
  restart(): void {
    if (this.queue.length > 0) this.restartWhenIdle = true;
    else this.stop();
  }

  /** Ends the process; pending reads fail. */
  close(): void {
    this.fail(new GitUnavailableError('git cat-file was closed'));
    this.stop();
  }

  private stop(): void {
    const child = this.child;
    this.child = undefined;
    this.restartWhenIdle = false;
    child?.kill();
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn('git', [`--git-dir=${this.gitdir}`, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.buffered = Buffer.alloc(0);
    child.stdout.on('data', (chunk: Buffer) => {
      if (this.child === child) this.receive(chunk);
    });
    child.stderr.resume();
    child.stdin.on('error', () => undefined);
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') this.missing = true;
      if (this.child !== child) return;
      this.child = undefined;
      this.fail(error.code === 'ENOENT' ? new GitMissingError('git is not installed') : error);
    });
    child.on('exit', () => {
      if (this.child !== child) return;
      this.child = undefined;
      this.fail(new GitUnavailableError('git cat-file exited'));
    });
    this.idle(child);
    return child;
  }

  private receive(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.queue.length > 0) {
      const newline = this.buffered.indexOf(10);
      if (newline < 0) return;
      const header = this.buffered.subarray(0, newline).toString('latin1');
      const [, type, sizeText] = header.split(' ');
      if (type === 'missing' || sizeText === undefined) {
        this.buffered = this.buffered.subarray(newline + 1);
        this.settle()?.resolve(undefined);
        continue;
      }
      const size = Number(sizeText);
      if (this.buffered.length < newline + 1 + size + 1) return;
      const content = Buffer.from(this.buffered.subarray(newline + 1, newline + 1 + size));
      this.buffered = this.buffered.subarray(newline + 1 + size + 1);
      this.settle()?.resolve({ type: type as RawType, content });
    }
  }

  private settle(): Pending | undefined {
    const done = this.queue.shift();
    if (this.queue.length === 0 && this.restartWhenIdle) this.stop();
    else if (this.child) {
      if (this.queue.length > 0) this.arm(this.child);
      else this.idle(this.child);
    }
    return done;
  }

  /** Waiting for git: keep the process alive and time the oldest request. */
  private arm(child: ChildProcessWithoutNullStreams): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fail(new GitUnavailableError(`git cat-file did not answer within ${this.timeoutMs} ms`));
      if (this.child === child) this.child = undefined;
      child.kill();
    }, this.timeoutMs);
    child.ref();
    referenced(child.stdout, true);
  }

  /** Nothing pending: an idle reader must not keep Node running. */
  private idle(child: ChildProcessWithoutNullStreams): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    child.unref();
    for (const stream of [child.stdout, child.stdin, child.stderr]) referenced(stream, false);
  }

  private fail(error: Error): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const pending of this.queue.splice(0)) pending.reject(error);
  }
}

/** Pipes to a child are sockets, which can stop holding the event loop; the stream types do not say so. */
function referenced(stream: object, on: boolean): void {
  const socket = stream as { ref?: () => void; unref?: () => void };
  if (on) socket.ref?.();
  else socket.unref?.();
}
