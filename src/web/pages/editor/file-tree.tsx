import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { ConfirmDialog } from '../../components/confirm.js';
import { codePathProblem } from '../../lib/rules.js';

interface Props {
  readonly paths: readonly string[];
  readonly entrypoint: string;
  readonly active: string;
  readonly problemCounts: Readonly<Record<string, number>>;
  readonly onOpen: (path: string) => void;
  readonly onAdd: (path: string) => void;
  readonly onRename: (from: string, to: string) => void;
  readonly onDelete: (path: string) => void;
}

type Edit = { kind: 'add'; value: string } | { kind: 'rename'; from: string; value: string };

/**
 * The app's files, folders indented under their names. The entrypoint is
 * marked and can be neither renamed nor deleted; files with problems carry
 * their count. Add and rename take a path (`static/site.css` makes a folder).
 */
export function FileTree(props: Props) {
  const [edit, setEdit] = useState<Edit | undefined>();
  const [deleting, setDeleting] = useState<string | undefined>();
  const taken = (path: string) => props.paths.includes(path) && (edit?.kind !== 'rename' || edit.from !== path);
  const problem = edit ? (taken(edit.value) ? `${edit.value} already exists` : codePathProblem(edit.value)) : undefined;

  function submit(event: Event) {
    event.preventDefault();
    if (!edit || problem) return;
    if (edit.kind === 'add') props.onAdd(edit.value);
    else if (edit.value !== edit.from) props.onRename(edit.from, edit.value);
    setEdit(undefined);
  }

  const sorted = [...props.paths].sort((a, b) => (a === props.entrypoint ? -1 : b === props.entrypoint ? 1 : a.localeCompare(b)));
  let lastFolder = '';
  return (
    <nav class="files" aria-label="Files">
      <div class="files-head">
        <h2>Files</h2>
        <button type="button" class="small" onClick={() => setEdit({ kind: 'add', value: 'module.py' })}>
          Add file
        </button>
      </div>
      {edit && (
        <form onSubmit={submit} class="file-form" onKeyDown={(e) => e.key === 'Escape' && setEdit(undefined)}>
          <label>
            {edit.kind === 'add' ? 'New file path' : `Rename ${edit.from} to`}
            <input
              value={edit.value}
              aria-invalid={problem ? 'true' : 'false'}
              aria-describedby="file-form-help"
              ref={(el) => el?.focus()}
              onInput={(e) => setEdit({ ...edit, value: e.currentTarget.value })}
            />
          </label>
          <p id="file-form-help" class={problem ? 'field-error' : 'hint'}>
            {problem ? `File path ${problem}` : 'Enter to confirm, Escape to cancel.'}
          </p>
          <div class="row">
            <button type="submit" class="small primary" disabled={Boolean(problem)}>
              {edit.kind === 'add' ? 'Add' : 'Rename'}
            </button>
            <button type="button" class="small" onClick={() => setEdit(undefined)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <ul>
        {sorted.map((path) => {
          const slash = path.lastIndexOf('/');
          const folder = slash < 0 ? '' : path.slice(0, slash);
          const header = folder !== lastFolder && folder !== '' ? <li class="folder">{folder}/</li> : null;
          lastFolder = folder;
          const count = props.problemCounts[path] ?? 0;
          const isEntry = path === props.entrypoint;
          return (
            <Fragment key={path}>
              {header}
              <li class={`file ${folder ? 'nested' : ''} ${path === props.active ? 'active' : ''}`}>
                <button type="button" class="file-name" aria-current={path === props.active ? 'true' : undefined} onClick={() => props.onOpen(path)}>
                  {slash < 0 ? path : path.slice(slash + 1)}
                  {isEntry && <span class="badge">entrypoint</span>}
                  {count > 0 && <span class="badge bad">{count === 1 ? '1 problem' : `${count} problems`}</span>}
                </button>
                {!isEntry && (
                  <span class="file-actions">
                    <button
                      type="button"
                      class="small quiet"
                      aria-label={`Rename ${path}`}
                      onClick={() => setEdit({ kind: 'rename', from: path, value: path })}
                    >
                      Rename
                    </button>
                    <button type="button" class="small quiet" aria-label={`Delete ${path}`} onClick={() => setDeleting(path)}>
                      Delete
                    </button>
                  </span>
                )}
              </li>
            </Fragment>
          );
        })}
      </ul>
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete ${deleting ?? ''}?`}
        confirmLabel="Delete file"
        danger
        onCancel={() => setDeleting(undefined)}
        onConfirm={() => {
          if (deleting) props.onDelete(deleting);
          setDeleting(undefined);
        }}
      >
        <p>The file leaves the draft; it stays in earlier releases.</p>
      </ConfirmDialog>
    </nav>
  );
}
