import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ConfirmDialog } from '../../components/confirm.js';
import { ErrorBox } from '../../components/error-box.js';
import { api, ApiError, type AppDetail, type Deployment, type Problem } from '../../lib/api.js';
import { navigate, setLeaveGuard } from '../../lib/router.js';
import { CodeEditor, type Reveal } from './code-editor.js';
import { DeployTimeline } from './deploy-timeline.js';
import { envBody, EnvPanel, type EnvRow } from './env-panel.js';
import { FileTree } from './file-tree.js';
import { ProblemsPanel } from './problems-panel.js';
import { ReleasesPanel } from './releases-panel.js';
import { session } from '../../lib/session.js';
import { EventsPanel } from './events-panel.js';
import { LogsPanel } from './logs-panel.js';
import { RuntimeBar } from './runtime-bar.js';
import { Tabs } from './tabs.js';
import { TestPanel } from './test-panel.js';
import { useAppStatus } from './use-app-status.js';

type Tab = 'code' | 'environment' | 'releases' | 'logs' | 'events' | 'test';
const TABS: readonly { id: Tab; label: string }[] = [
  { id: 'code', label: 'Code' },
  { id: 'environment', label: 'Environment' },
  { id: 'releases', label: 'Releases' },
  { id: 'logs', label: 'Logs' },
  { id: 'events', label: 'Events' },
  { id: 'test', label: 'Test' },
];

function rowsOf(app: AppDetail): EnvRow[] {
  return Object.entries(app.draft.env).map(([name, v]) =>
    v.secret ? { name, secret: true, value: '', stored: true } : { name, secret: false, value: v.value, stored: false },
  );
}

/** What Save writes, as text: equal snapshots mean nothing to save. */
const snapshotOf = (files: Record<string, string>, entrypoint: string, env: readonly EnvRow[]) => JSON.stringify({ files, entrypoint, env: envBody(env) });

/**
 * The editor of one app: files, CodeMirror with problems as you type,
 * Save (Mod-S), Deploy (Mod-Enter) with its live timeline, environment and
 * releases; what runs (status, Open app, sleep/wake), its logs, events and
 * a test panel.
 */
export function EditorPage({ tenant, app }: { tenant: string; app: string }) {
  const [detail, setDetail] = useState<AppDetail | undefined>();
  const [loadError, setLoadError] = useState<unknown>();
  const [files, setFiles] = useState<Record<string, string>>({});
  const [env, setEnv] = useState<EnvRow[]>([]);
  const [active, setActive] = useState('');
  const [saved, setSaved] = useState('');
  const [deployed, setDeployed] = useState<string | undefined>();
  const [problems, setProblems] = useState<Problem[]>([]);
  const lastProblems = useRef<readonly Problem[]>([]);
  const [checking, setChecking] = useState(false);
  const [tab, setTab] = useState<Tab>('code');
  const [reveal, setReveal] = useState<Reveal | undefined>();
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState<'saving' | 'deploying' | undefined>();
  const [actionError, setActionError] = useState<unknown>();
  const [deployment, setDeployment] = useState<Deployment | undefined>();
  const [releasesVersion, setReleasesVersion] = useState(0);
  const [selectedRelease, setSelectedRelease] = useState<string | undefined>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  /** Bumped when the app's live state may have moved (a deploy stage, sleep, wake): status and events ask again. */
  const [runtimeVersion, setRuntimeVersion] = useState(0);
  const { status } = useAppStatus(tenant, app, runtimeVersion);
  const user = session.user();
  const canWrite = user !== undefined && (user.username === tenant || user.roles.includes('admin'));
  const filesRef = useRef(files);
  filesRef.current = files;
  const lintSeq = useRef(0);

  useEffect(() => {
    api.app(tenant, app).then(({ app: loaded }) => {
      setDetail(loaded);
      setFiles(loaded.draft.files);
      setEnv(rowsOf(loaded));
      setActive(loaded.draft.entrypoint);
      const snapshot = snapshotOf(loaded.draft.files, loaded.draft.entrypoint, rowsOf(loaded));
      setSaved(snapshot);
      // Assumed: a live app runs its saved draft until this page changes it.
      setDeployed(loaded.live ? snapshot : undefined);
    }, setLoadError);
  }, [tenant, app]);

  const entrypoint = detail?.draft.entrypoint ?? 'main.py';
  const current = snapshotOf(files, entrypoint, env);
  const dirty = detail !== undefined && current !== saved;

  useEffect(() => {
    setLeaveGuard(dirty ? () => window.confirm('You have unsaved changes. Leave without saving?') : undefined);
    const onUnload = (event: BeforeUnloadEvent) => {
      if (dirty) event.preventDefault();
    };
    window.addEventListener('beforeunload', onUnload);
    return () => {
      window.removeEventListener('beforeunload', onUnload);
      setLeaveGuard(undefined);
    };
  }, [dirty]);

  /** Validates the whole draft (with `path` as typed); only the newest answer updates the Problems list. */
  const lint = useCallback(
    async (path: string, doc: string): Promise<readonly Problem[]> => {
      const seq = ++lintSeq.current;
      setChecking(true);
      performance.mark('berth:lint-sent');
      try {
        const result = await api.validate(tenant, app, { files: { ...filesRef.current, [path]: doc }, entrypoint });
        lastProblems.current = result.problems;
        if (seq === lintSeq.current) {
          setProblems(result.problems);
          setChecking(false);
        }
        return result.problems.filter((p) => p.file === path);
      } catch (err) {
        if (seq === lintSeq.current) setChecking(false);
        // Rate limited while typing fast: keep the last verdict's underlines; the next pause checks again.
        if (err instanceof ApiError && err.status === 429) return lastProblems.current.filter((p) => p.file === path);
        setActionError(err);
        return [];
      }
    },
    [tenant, app, entrypoint],
  );

  async function save(): Promise<boolean> {
    if (!detail) return false;
    if (!dirty) return true;
    setBusy('saving');
    setActionError(undefined);
    try {
      const { app: updated } = await api.saveDraft(tenant, app, { files, entrypoint, env: envBody(env) });
      setDetail(updated);
      const rows = rowsOf(updated);
      setEnv(rows);
      setSaved(snapshotOf(updated.draft.files, updated.draft.entrypoint, rows));
      return true;
    } catch (err) {
      setActionError(err);
      return false;
    } finally {
      setBusy(undefined);
    }
  }

  async function deploy() {
    if (busy) return;
    if (!(await save())) return;
    setBusy('deploying');
    setActionError(undefined);
    try {
      const { deployment: started } = await api.deploy(tenant, app, message.trim() || undefined);
      setDeployment(started);
      setMessage('');
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) {
        const found = (err.details as { problems?: Problem[] } | undefined)?.problems ?? [];
        setProblems(found);
        setTab('code');
      }
      setActionError(err);
    } finally {
      setBusy(undefined);
    }
  }

  async function removeApp() {
    setConfirmDelete(false);
    setActionError(undefined);
    try {
      const { deployment: started } = await api.removeApp(tenant, app);
      setDeployment(started);
    } catch (err) {
      setActionError(err);
    }
  }

  // Mod-S and Mod-Enter anywhere on the page (CodeMirror handles them itself when focused).
  const keys = useRef({ save, deploy });
  keys.current = { save, deploy };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || !(event.ctrlKey || event.metaKey)) return;
      if (event.key === 's') {
        event.preventDefault();
        void keys.current.save();
      } else if (event.key === 'Enter') {
        event.preventDefault();
        void keys.current.deploy();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const problemCounts = useMemo(() => {
    const counts: Record<string, number> = {};
    for (const p of problems) counts[p.file] = (counts[p.file] ?? 0) + 1;
    return counts;
  }, [problems]);

  if (loadError) return <ErrorBox error={loadError} label={`Could not open ${tenant}/${app}`} />;
  if (!detail)
    return (
      <p role="status">
        Opening {tenant}/{app}…
      </p>
    );

  const saveState = busy === 'saving' ? 'Saving…' : dirty ? 'Unsaved changes' : 'Saved';
  const deployState = !dirty && deployed !== undefined && deployed === saved ? 'Deployed' : 'Not deployed';
  const paths = Object.keys(files);

  return (
    <section aria-labelledby="editor-title" class="editor">
      <div class="editor-head">
        <h1 id="editor-title">
          {tenant}/{app}
        </h1>
        <p class="state" role="status" aria-label="Draft status">
          <span class={`pill ${dirty ? 's-unsaved' : 's-saved'}`}>{saveState}</span>
          <span class={`pill ${deployState === 'Deployed' ? 's-committed' : 's-draft-only'}`}>{deployState}</span>
        </p>
        <span class="hint">{detail.url.replace(/^https?:\/\//, '')}</span>
        <div class="row actions">
          <button type="button" onClick={() => void save()} disabled={!dirty || busy !== undefined} aria-keyshortcuts="Control+S">
            Save <kbd>Ctrl+S</kbd>
          </button>
          <label class="inline">
            <span class="sr-only">Deploy message</span>
            <input value={message} placeholder="Deploy message (optional)" maxLength={200} onInput={(e) => setMessage(e.currentTarget.value)} />
          </label>
          <button type="button" class="primary" onClick={() => void deploy()} disabled={busy !== undefined} aria-keyshortcuts="Control+Enter">
            {busy === 'deploying' ? 'Deploying…' : 'Deploy'} <kbd>Ctrl+Enter</kbd>
          </button>
          <button type="button" class="quiet" onClick={() => setConfirmDelete(true)}>
            Delete app
          </button>
        </div>
      </div>
      <RuntimeBar tenant={tenant} app={app} status={status} canWrite={canWrite} onChanged={() => setRuntimeVersion((n) => n + 1)} />
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete ${tenant}/${app}?`}
        confirmLabel="Delete app"
        danger
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() => void removeApp()}
      >
        <p>A commit removes the app from the apps repository and Flux prunes what runs. Its history stays in Git.</p>
      </ConfirmDialog>
      <ErrorBox error={actionError} />
      {deployment && (
        <DeployTimeline
          key={deployment.id}
          deployment={deployment}
          onStage={() => setRuntimeVersion((n) => n + 1)}
          onDone={(final) => {
            if (final.kind === 'delete' && final.status !== 'failed') {
              setLeaveGuard(undefined);
              navigate('/');
              return;
            }
            if (final.status !== 'failed' && final.kind === 'deploy') setDeployed(saved);
            setReleasesVersion((n) => n + 1);
            setRuntimeVersion((n) => n + 1);
          }}
          onShowRelease={(commit) => {
            setSelectedRelease(commit);
            setTab('releases');
          }}
        />
      )}
      <Tabs tabs={TABS} active={tab} onChange={setTab} label="Editor sections" />
      <div role="tabpanel" id="panel-code" aria-labelledby="tab-code" hidden={tab !== 'code'} class="code-panel">
        <FileTree
          paths={paths}
          entrypoint={entrypoint}
          active={active}
          problemCounts={problemCounts}
          onOpen={setActive}
          onAdd={(path) => {
            setFiles({ ...files, [path]: path.endsWith('.py') ? '' : '' });
            setActive(path);
          }}
          onRename={(from, to) => {
            const next: Record<string, string> = {};
            for (const [p, text] of Object.entries(files)) next[p === from ? to : p] = text;
            setFiles(next);
            if (active === from) setActive(to);
          }}
          onDelete={(path) => {
            const { [path]: _gone, ...rest } = files;
            setFiles(rest);
            if (active === path) setActive(entrypoint);
          }}
        />
        <div class="code-main">
          <div class="code-title">{active}</div>
          <CodeEditor
            path={active}
            doc={files[active] ?? ''}
            onChange={(path, doc) => setFiles((prev) => ({ ...prev, [path]: doc }))}
            lint={lint}
            onSave={() => void save()}
            onDeploy={() => void deploy()}
            reveal={reveal}
          />
          <ProblemsPanel
            problems={problems}
            checking={checking}
            onJump={(p) => {
              setActive(p.file);
              setReveal({ path: p.file, line: p.line, column: p.column, nonce: Date.now() });
            }}
          />
        </div>
      </div>
      <div role="tabpanel" id="panel-environment" aria-labelledby="tab-environment" hidden={tab !== 'environment'}>
        {tab === 'environment' && <EnvPanel rows={env} onChange={setEnv} />}
      </div>
      <div role="tabpanel" id="panel-releases" aria-labelledby="tab-releases" hidden={tab !== 'releases'}>
        {tab === 'releases' && (
          <ReleasesPanel
            tenant={tenant}
            app={app}
            version={releasesVersion}
            selected={selectedRelease}
            onSelect={setSelectedRelease}
            onRolledBack={(d) => {
              setDeployment(d);
              setDeployed(undefined);
            }}
          />
        )}
      </div>
      <div role="tabpanel" id="panel-logs" aria-labelledby="tab-logs" hidden={tab !== 'logs'}>
        {tab === 'logs' && <LogsPanel tenant={tenant} app={app} />}
      </div>
      <div role="tabpanel" id="panel-events" aria-labelledby="tab-events" hidden={tab !== 'events'}>
        {tab === 'events' && <EventsPanel tenant={tenant} app={app} version={runtimeVersion} />}
      </div>
      <div role="tabpanel" id="panel-test" aria-labelledby="tab-test" hidden={tab !== 'test'}>
        {/* Always mounted: the recent requests survive switching tabs (memory only). */}
        <TestPanel tenant={tenant} app={app} />
      </div>
    </section>
  );
}
