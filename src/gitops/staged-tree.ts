import type { DirEntry, FileChange, TreeView } from '../ports/git.js';

/**
 * A tree view with pending edits on top, so that one operation can make
 * several edits (an app's files, then the index files that list it) and each
 * later step reads what the earlier ones wrote. `changes()` yields only what
 * really differs from the base tree, which is what makes "nothing changed"
 * detectable.
 */
export class StagedTree implements TreeView {
  private readonly staged = new Map<string, string | null>();

  constructor(private readonly base: TreeView) {}

  get commit(): string | undefined {
    return this.base.commit;
  }

  write(path: string, content: string): void {
    this.staged.set(path, content);
  }

  remove(path: string): void {
    this.staged.set(path, null);
  }

  /** Deletes every file at or below `dir` (as the base has it, plus staged files). */
  async removeDir(dir: string): Promise<void> {
    for (const path of (await this.base.readFiles(dir)).keys()) this.staged.set(`${dir}/${path}`, null);
    for (const path of this.staged.keys()) if (path.startsWith(`${dir}/`)) this.staged.set(path, null);
  }

  /** Makes the folder hold exactly `files` (relative path → content), keeping files `keep` says to keep. */
  async replaceDir(dir: string, files: ReadonlyMap<string, string>, keep: (relative: string) => boolean = () => false): Promise<void> {
    for (const [relative] of await this.readFiles(dir)) {
      if (!files.has(relative) && !keep(relative)) this.remove(`${dir}/${relative}`);
    }
    for (const [relative, content] of files) this.write(`${dir}/${relative}`, content);
  }

  async readFile(path: string): Promise<string | undefined> {
    if (this.staged.has(path)) return this.staged.get(path) ?? undefined;
    return this.base.readFile(path);
  }

  /** As in the base tree: used to detect changes since a base, which staged edits are not yet. */
  async oidAt(path: string): Promise<string | undefined> {
    return this.base.oidAt(path);
  }

  async readFiles(dir: string): Promise<Map<string, string>> {
    const out = await this.base.readFiles(dir);
    const prefix = dir === '' ? '' : `${dir}/`;
    for (const [path, content] of this.staged) {
      if (!path.startsWith(prefix)) continue;
      const relative = path.slice(prefix.length);
      if (content === null) out.delete(relative);
      else out.set(relative, content);
    }
    return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** Names of the sub-folders of `dir` that hold at least one file after the staged edits. */
  async listDirNames(dir: string): Promise<string[]> {
    const names = new Set<string>();
    for (const entry of (await this.base.listDir(dir)) ?? []) if (entry.type === 'tree') names.add(entry.name);
    const prefix = dir === '' ? '' : `${dir}/`;
    for (const path of this.staged.keys()) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash > 0) names.add(rest.slice(0, slash));
    }
    const alive: string[] = [];
    for (const name of [...names].sort()) {
      if (await this.hasAnyFile(`${prefix}${name}`)) alive.push(name);
    }
    return alive;
  }

  /** The base tree's entries only (object ids of staged files do not exist yet); {@link listDirNames} sees staged edits. */
  async listDir(path: string): Promise<DirEntry[] | undefined> {
    return this.base.listDir(path);
  }

  /** The net edits against the base tree, sorted by path. */
  async changes(): Promise<FileChange[]> {
    const out: FileChange[] = [];
    for (const [path, content] of [...this.staged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const before = await this.base.readFile(path);
      if ((before ?? null) !== content) out.push({ path, content });
    }
    return out;
  }

  private async hasAnyFile(dir: string): Promise<boolean> {
    let deletesBelow = false;
    for (const [path, content] of this.staged) {
      if (!path.startsWith(`${dir}/`)) continue;
      if (content !== null) return true;
      deletesBelow = true;
    }
    // Git stores no empty folders, so an existing base folder holds a file;
    // only staged deletions below it force reading what is left.
    if (!deletesBelow) return (await this.base.oidAt(dir)) !== undefined;
    for (const relative of (await this.base.readFiles(dir)).keys()) {
      if (this.staged.get(`${dir}/${relative}`) !== null) return true;
    }
    return false;
  }
}
