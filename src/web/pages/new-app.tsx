import { useEffect, useState } from 'preact/hooks';
import { ErrorBox } from '../components/error-box.js';
import { api, type EnvInput, type Template } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { nameProblem } from '../lib/rules.js';

const BLANK = 'blank';
const BLANK_FILES = { 'main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\ndef root():\n    return {"hello": "world"}\n' };
const BLANK_CARD: Template = {
  id: BLANK,
  name: 'Blank',
  description: 'One main.py with a FastAPI app that says hello.',
  entrypoint: 'main.py',
  files: BLANK_FILES,
  teaches: 'Nothing yet: an empty page to write your own app on.',
  tags: ['basics'],
};

/** One gallery card: what the starter is, teaches and needs, said before it is created. */
function StarterCard({ template, chosen, onChoose }: { template: Template; chosen: boolean; onChoose: () => void }) {
  const needs = template.needs;
  return (
    <label class={`tile ${chosen ? 'chosen' : ''}`}>
      <input type="radio" name="template" value={template.id} checked={chosen} onChange={onChoose} />
      <span class="tile-name">{template.name}</span>
      <span class="tile-desc">{template.description}</span>
      {template.teaches && (
        <span class="tile-teaches">
          <strong>Teaches:</strong> {template.teaches}
        </span>
      )}
      <span class="tile-tags">
        {(template.tags ?? []).map((tag) => (
          <span key={tag} class="tag">
            {tag}
          </span>
        ))}
        {needs?.database && <span class="badge need">needs a database</span>}
        {needs?.secrets.map((s) => (
          <span key={s.name} class="badge need">
            needs secret {s.name}
          </span>
        ))}
      </span>
    </label>
  );
}

/**
 * Name (checked as you type, with the API's rule and words), the starter
 * gallery, and what the chosen starter needs: its secrets are asked for
 * here (masked, sent once as write-only secrets with the new app), and a
 * database need is said before Create.
 */
export function NewAppPage() {
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const [templates, setTemplates] = useState<Template[] | undefined>();
  const [chosen, setChosen] = useState<string>(BLANK);
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const problem = name === '' && !touched ? undefined : nameProblem(name);

  useEffect(() => {
    api.templates().then((r) => setTemplates(r.templates), setError);
  }, []);

  const cards = [BLANK_CARD, ...(templates ?? [])];
  const starter = cards.find((t) => t.id === chosen);
  const needed = starter?.needs?.secrets ?? [];
  const missing = needed.filter((s) => !secrets[s.name]);

  async function create(event: Event) {
    event.preventDefault();
    setTouched(true);
    if (nameProblem(name) || missing.length > 0) return;
    setBusy(true);
    setError(undefined);
    try {
      const env: Record<string, EnvInput> = {};
      for (const s of needed) env[s.name] = { secret: true, value: secrets[s.name] ?? '' };
      const body = chosen === BLANK ? { name, files: BLANK_FILES, entrypoint: 'main.py' } : { name, template: chosen, ...(needed.length > 0 ? { env } : {}) };
      const { app } = await api.createApp(body);
      // The values go no further than that request: nothing of them stays in the page.
      setSecrets({});
      navigate(`/apps/${app.tenant}/${app.name}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="new-title">
      <h1 id="new-title">New app</h1>
      <form onSubmit={(e) => void create(e)} class="stack">
        <label>
          App name
          <input
            name="name"
            value={name}
            aria-invalid={problem ? 'true' : 'false'}
            aria-describedby="name-help"
            autoComplete="off"
            spellcheck={false}
            onInput={(e) => (setName(e.currentTarget.value), setTouched(true))}
          />
        </label>
        <p id="name-help" class={problem ? 'field-error' : 'hint'} aria-live="polite">
          {problem ? `App name ${problem}` : 'Lower-case letters, digits and single hyphens, starting with a letter; at most 30 characters.'}
        </p>
        <fieldset class="gallery">
          <legend>Template</legend>
          {templates === undefined && !error && <p role="status">Loading templates…</p>}
          {cards.map((t) => (
            <StarterCard
              key={t.id}
              template={t}
              chosen={chosen === t.id}
              onChoose={() => {
                setChosen(t.id);
                setSecrets({});
              }}
            />
          ))}
        </fieldset>
        {starter && (starter.needs?.database || needed.length > 0 || (starter.needs?.settings.length ?? 0) > 0) && (
          <section class="needs card stack" aria-labelledby="needs-title">
            <h2 id="needs-title">What {starter.name} needs</h2>
            {starter.needs?.database && (
              <p class="need-database">
                <strong>Needs a database.</strong> It keeps its data in your tenant's MongoDB database, which Berth passes to the app as{' '}
                <code>MONGODB_URI</code>. Where no database is attached, the app still starts and says so on its page.
              </p>
            )}
            {needed.length > 0 && (
              <fieldset class="stack secrets">
                <legend>Secrets</legend>
                <p class="hint">
                  Stored encrypted with the app and write-only: once created, nobody can read them back here, only replace them under Environment.
                </p>
                {needed.map((s) => (
                  <label key={s.name}>
                    <code>{s.name}</code>
                    <input
                      type="password"
                      autoComplete="new-password"
                      required
                      aria-describedby={`secret-${s.name}-help`}
                      value={secrets[s.name] ?? ''}
                      onInput={(e) => setSecrets({ ...secrets, [s.name]: e.currentTarget.value })}
                    />
                    <span id={`secret-${s.name}-help`} class="hint">
                      {s.description}
                    </span>
                  </label>
                ))}
              </fieldset>
            )}
            {(starter.needs?.settings.length ?? 0) > 0 && (
              <p class="hint">
                Optional settings it reads (set them under Environment):{' '}
                {starter.needs?.settings.map((s, i) => (
                  <span key={s.name}>
                    {i > 0 ? ', ' : ''}
                    <code>{s.name}</code> ({s.description})
                  </span>
                ))}
              </p>
            )}
          </section>
        )}
        <ErrorBox error={error} label="Could not create the app" />
        <div>
          <button type="submit" class="primary" disabled={busy || Boolean(problem) || missing.length > 0}>
            {busy ? 'Creating…' : 'Create'}
          </button>
          {missing.length > 0 && <span class="hint"> Set {missing.map((s) => s.name).join(', ')} first.</span>}
        </div>
      </form>
    </section>
  );
}
