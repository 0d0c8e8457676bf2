import { useState } from 'preact/hooks';
import { envNameProblem } from '../../lib/rules.js';

/** One variable as the editor holds it: secrets never carry their stored value, only a replacement typed here. */
export interface EnvRow {
  readonly name: string;
  readonly secret: boolean;
  /** Plain value, or the new secret value (empty: keep the stored secret). */
  readonly value: string;
  /** A secret the server already holds. */
  readonly stored: boolean;
}

/** What PUT .../draft takes: a secret without a value keeps the stored one. */
export function envBody(rows: readonly EnvRow[]): Record<string, string | { secret: true; value?: string }> {
  const body: Record<string, string | { secret: true; value?: string }> = {};
  for (const row of rows) body[row.name] = row.secret ? (row.value ? { secret: true, value: row.value } : { secret: true }) : row.value;
  return body;
}

/**
 * Environment variables and secrets. Names are checked as you type with the
 * API's rule; secret values are write-only: shown masked as "set", never
 * fetched, replaceable. Changes are saved with the draft (Save).
 */
export function EnvPanel({ rows, onChange }: { rows: readonly EnvRow[]; onChange: (rows: EnvRow[]) => void }) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [secret, setSecret] = useState(false);
  const [replacing, setReplacing] = useState<string | undefined>();
  const [replacement, setReplacement] = useState('');
  const duplicate = rows.some((r) => r.name === name);
  const problem = name === '' ? undefined : duplicate ? `${name} is already set; change it in the list` : envNameProblem(name);

  function add(event: Event) {
    event.preventDefault();
    if (name === '' || problem || (secret && value === '')) return;
    onChange([...rows, { name, value, secret, stored: false }]);
    setName('');
    setValue('');
    setSecret(false);
  }

  const update = (target: string, patch: Partial<EnvRow>) => onChange(rows.map((r) => (r.name === target ? { ...r, ...patch } : r)));

  return (
    <section aria-labelledby="env-title" class="stack">
      <h2 id="env-title">Environment</h2>
      <p class="hint">
        Variables reach the app as environment variables. Secret values are write-only: once saved, nobody can read them here again. Save to keep changes.
      </p>
      {rows.length === 0 ? (
        <p>No variables yet. Add one below.</p>
      ) : (
        <table class="list">
          <caption class="sr-only">Variables</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.name}>
                <td>
                  <code>{row.name}</code> {row.secret && <span class="badge">secret</span>}
                </td>
                <td>
                  {!row.secret ? (
                    <input aria-label={`Value of ${row.name}`} value={row.value} onInput={(e) => update(row.name, { value: e.currentTarget.value })} />
                  ) : replacing === row.name ? (
                    <form
                      class="row"
                      onSubmit={(e) => {
                        e.preventDefault();
                        if (replacement) update(row.name, { value: replacement });
                        setReplacing(undefined);
                        setReplacement('');
                      }}
                    >
                      <input
                        type="password"
                        autoComplete="new-password"
                        aria-label={`New value of ${row.name}`}
                        value={replacement}
                        onInput={(e) => setReplacement(e.currentTarget.value)}
                      />
                      <button type="submit" class="small">
                        Set
                      </button>
                    </form>
                  ) : (
                    <span class="masked">{row.value ? 'new value, not saved yet' : row.stored ? '•••••••• set' : 'no value'}</span>
                  )}
                </td>
                <td>
                  <div class="row">
                    {row.secret && replacing !== row.name && (
                      <button type="button" class="small" aria-label={`Replace ${row.name}`} onClick={() => setReplacing(row.name)}>
                        Replace
                      </button>
                    )}
                    <button
                      type="button"
                      class="small quiet"
                      aria-label={`Remove ${row.name}`}
                      onClick={() => onChange(rows.filter((r) => r.name !== row.name))}
                    >
                      Remove
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={add} class="env-add" aria-labelledby="env-add-title">
        <h3 id="env-add-title">Add a variable</h3>
        <label>
          Name
          <input
            value={name}
            aria-invalid={problem ? 'true' : 'false'}
            aria-describedby="env-name-help"
            spellcheck={false}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label>
          Value
          {secret ? (
            <input type="password" autoComplete="new-password" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
          ) : (
            <input type="text" autoComplete="off" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
          )}
        </label>
        <label class="check">
          <input type="checkbox" checked={secret} onChange={(e) => setSecret(e.currentTarget.checked)} /> Secret
        </label>
        <button type="submit" disabled={name === '' || Boolean(problem)}>
          Add variable
        </button>
        <p id="env-name-help" class={problem ? 'field-error' : 'hint'} aria-live="polite">
          {problem ? `Name ${problem}` : 'Upper-case letters, digits and "_", e.g. API_URL.'}
        </p>
      </form>
    </section>
  );
}
