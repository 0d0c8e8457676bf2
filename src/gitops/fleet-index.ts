import { appDir as appDirOf, BERTH_YAML, GROUP_NAME, TENANTS_DIR } from '../domain/layout.js';
import { appKey, isValidName, parseAppKey, tenantGroup, type AppRef } from '../domain/names.js';
import { NotFoundError } from '../errors.js';
import { TEMPLATE_VERSION } from '../render/index.js';
import { readAppState } from './app-tree.js';
import type { GitPort, TreeView } from '../ports/git.js';

/** What the fleet index remembers of an app that is not simply "awake, on the current templates". */
export interface FleetEntry {
  readonly templateVersion: number;
  readonly replicas: number;
  readonly asleepSince?: string;
  /** berth.yaml is missing or malformed: periodic work leaves the app alone. */
  readonly unreadable?: true;
}

/** Where the index survives restarts (a file in DATA_DIR); without one it is rebuilt once per process. */
export interface FleetIndexStore {
  load(): Promise<string | undefined>;
  save(text: string): Promise<void>;
}

/** The index as of one commit. */
export interface FleetView {
  readonly commit: string | undefined;
  readonly tree: TreeView;
  /** The app's entry, or undefined when it is awake on the current templates (or absent: check the tree). */
  entry(ref: AppRef): FleetEntry | undefined;
  /** Apps on older templates, sorted. */
  outdated(): (AppRef & { readonly templateVersion: number })[];
}

interface Snapshot {
  readonly format: 1;
  readonly templateVersion: number;
  readonly commit: string | undefined;
  readonly apps: Record<string, FleetEntry>;
}

/**
 * What periodic work needs to know about every app (template version,
 * replicas, since when asleep) without reading every app. It keeps only the
 * exceptions (apps asleep or on other templates), so it stays small, and it
 * is brought to the branch head by a tree diff from the commit it reflects:
 * the walk descends only into folders whose tree id changed, so the cost is
 * that of what changed since, not of the fleet. The one full read is the
 * first ever (no stored index, the stored commit gone, or another template
 * version of Berth: then every app's state may differ from what was stored).
 */
export class FleetIndex {
  private snapshot: Snapshot | undefined;
  private loaded = false;
  private refreshing: Promise<FleetView> | undefined;
  /** Apps read by the last refresh: what tests and logs check the cost by. */
  lastReads = 0;

  constructor(
    private readonly git: Pick<GitPort, 'head' | 'tree'>,
    private readonly branch: string,
    private readonly persist?: FleetIndexStore,
  ) {}

  /** The index at the branch head (concurrent calls share one refresh). */
  refresh(): Promise<FleetView> {
    this.refreshing ??= this.bringToHead().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async bringToHead(): Promise<FleetView> {
    if (!this.loaded) {
      this.snapshot = await this.loadStored();
      this.loaded = true;
    }
    const head = await this.git.head(this.branch);
    const tree = await this.git.tree(head);
    const previous = this.snapshot;
    if (previous?.commit !== head) {
      const before = await this.treeOf(previous);
      const apps = before ? { ...previous?.apps } : {};
      const changed = await changedAppFolders(before ?? (await this.git.tree(undefined)), tree);
      this.lastReads = changed.length;
      // A few reads in flight, so the git adapter pipelines them; the first build reads every app.
      let next = 0;
      const worker = async () => {
        while (next < changed.length) {
          const ref = changed[next++] as AppRef;
          const key = appKey(ref);
          const entry = await readFleetEntry(tree, ref);
          if (entry) apps[key] = entry;
          else delete apps[key];
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      this.snapshot = { format: 1, templateVersion: TEMPLATE_VERSION, commit: head, apps };
      await this.persist?.save(JSON.stringify(this.snapshot));
    } else this.lastReads = 0;
    return view(this.snapshot ?? { format: 1, templateVersion: TEMPLATE_VERSION, commit: head, apps: {} }, tree);
  }

  /** The tree the stored index reflects, or undefined when it cannot be trusted and everything is read again. */
  private async treeOf(snapshot: Snapshot | undefined): Promise<TreeView | undefined> {
    if (!snapshot) return undefined;
    try {
      return await this.git.tree(snapshot.commit);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  private async loadStored(): Promise<Snapshot | undefined> {
    const text = await this.persist?.load();
    if (text === undefined) return undefined;
    try {
      const parsed = JSON.parse(text) as Partial<Snapshot>;
      const fresh = parsed.format === 1 && parsed.templateVersion === TEMPLATE_VERSION && typeof parsed.apps === 'object' && parsed.apps !== null;
      return fresh ? (parsed as Snapshot) : undefined;
    } catch {
      return undefined;
    }
  }
}

const SPEC_LINE = /^ {2}(templateVersion|replicas|asleepSince): (.*)$/gm;

/**
 * The index entry of one app (undefined: awake on the current templates, or
 * absent). berth.yaml as Berth renders it is read by its three lines at spec
 * level, about a tenth of the cost of parsing the YAML; anything else goes
 * through the full parse.
 */
async function readFleetEntry(tree: TreeView, ref: AppRef): Promise<FleetEntry | undefined> {
  const text = await tree.readFile(`${appDirOf(ref)}/${BERTH_YAML}`);
  if (text === undefined) return (await tree.oidAt(appDirOf(ref))) === undefined ? undefined : { templateVersion: 0, replicas: 0, unreadable: true };
  const state = scanBerthYaml(text) ?? (await readAppState(tree, ref));
  if (!state) return { templateVersion: 0, replicas: 0, unreadable: true };
  if (state.replicas !== 0 && state.templateVersion === TEMPLATE_VERSION) return undefined;
  return { templateVersion: state.templateVersion, replicas: state.replicas, ...(state.asleepSince ? { asleepSince: state.asleepSince } : {}) };
}

/** The three fields from a berth.yaml in Berth's own rendering, or undefined when it is not exactly that shape. */
export function scanBerthYaml(text: string): Pick<FleetEntry, 'templateVersion' | 'replicas' | 'asleepSince'> | undefined {
  if (!text.includes('\napiVersion: berth.dev/v1\nkind: App\n') || !text.includes('\nspec:\n')) return undefined;
  const found = new Map<string, string>();
  for (const [, key = '', value = ''] of text.matchAll(SPEC_LINE)) {
    if (found.has(key)) return undefined;
    found.set(key, value);
  }
  const templateVersion = found.get('templateVersion');
  const replicas = found.get('replicas');
  if (!templateVersion || !/^\d+$/.test(templateVersion) || !replicas || !/^\d+$/.test(replicas)) return undefined;
  const since = found.get('asleepSince');
  let asleepSince: string | undefined;
  if (since !== undefined) {
    try {
      asleepSince = JSON.parse(since) as string;
    } catch {
      return undefined;
    }
    if (typeof asleepSince !== 'string') return undefined;
  }
  return { templateVersion: Number(templateVersion), replicas: Number(replicas), ...(asleepSince !== undefined ? { asleepSince } : {}) };
}

function view(snapshot: Snapshot, tree: TreeView): FleetView {
  return {
    commit: snapshot.commit,
    tree,
    entry: (ref) => snapshot.apps[appKey(ref)],
    outdated: () =>
      Object.entries(snapshot.apps)
        .filter(([, entry]) => !entry.unreadable && entry.templateVersion < TEMPLATE_VERSION)
        .map(([key, entry]) => ({ ...parseAppKey(key), templateVersion: entry.templateVersion }))
        .sort((a, b) => (appKey(a) < appKey(b) ? -1 : appKey(a) > appKey(b) ? 1 : 0)),
  };
}

/**
 * App folders that differ between two trees (added, changed or removed),
 * found by comparing tree ids level by level (shard, tenant, app): equal
 * subtrees are never opened.
 */
export async function changedAppFolders(before: TreeView, after: TreeView): Promise<AppRef[]> {
  const out: AppRef[] = [];
  const levels = [(name: string) => GROUP_NAME.test(name), isValidName, isValidName];
  async function walk(dir: string, level: number, names: string[]): Promise<void> {
    const [a, b] = await Promise.all([before.listDir(dir), after.listDir(dir)]);
    const oids = new Map<string, [string | undefined, string | undefined]>();
    for (const entry of a ?? []) if (entry.type === 'tree') oids.set(entry.name, [entry.oid, undefined]);
    for (const entry of b ?? []) if (entry.type === 'tree') oids.set(entry.name, [oids.get(entry.name)?.[0], entry.oid]);
    for (const [name, [was, is]] of oids) {
      if (was === is || !levels[level]?.(name)) continue;
      const path = [...names, name];
      if (level === 1 && tenantGroup(name) !== names[0]) continue;
      if (level === 2) out.push({ tenant: path[1] ?? '', app: name });
      else await walk(`${dir}/${name}`, level + 1, path);
    }
  }
  await walk(TENANTS_DIR, 0, []);
  return out;
}
