import { useEffect, useState } from 'preact/hooks';
import { ErrorBox } from '../components/error-box.js';
import { api, type Template } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { nameProblem } from '../lib/rules.js';

const BLANK = 'blank';
const BLANK_FILES = { 'main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\ndef root():\n    return {"hello": "world"}\n' };

/** Name (checked as you type, with the API's rule and words), a template gallery, Create. */
export function NewAppPage() {
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const [templates, setTemplates] = useState<Template[] | undefined>();
  const [chosen, setChosen] = useState<string>(BLANK);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const problem = name === '' && !touched ? undefined : nameProblem(name);

  useEffect(() => {
    api.templates().then((r) => setTemplates(r.templates), setError);
  }, []);

  async function create(event: Event) {
    event.preventDefault();
    setTouched(true);
    if (nameProblem(name)) return;
    setBusy(true);
    setError(undefined);
    try {
      const body = chosen === BLANK ? { name, files: BLANK_FILES, entrypoint: 'main.py' } : { name, template: chosen };
      const { app } = await api.createApp(body);
      navigate(`/apps/${app.tenant}/${app.name}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  const cards = [{ id: BLANK, name: 'Blank', description: 'One main.py with a FastAPI app that says hello.' }, ...(templates ?? [])];
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
          {problem ? `App name ${problem}` : 'Lower-case letters, digits and single hyphens; at most 30 characters.'}
        </p>
        <fieldset class="gallery">
          <legend>Template</legend>
          {templates === undefined && !error && <p role="status">Loading templates…</p>}
          {cards.map((t) => (
            <label key={t.id} class={`tile ${chosen === t.id ? 'chosen' : ''}`}>
              <input type="radio" name="template" value={t.id} checked={chosen === t.id} onChange={() => setChosen(t.id)} />
              <span class="tile-name">{t.name}</span>
              <span class="tile-desc">{t.description}</span>
            </label>
          ))}
        </fieldset>
        <ErrorBox error={error} label="Could not create the app" />
        <div>
          <button type="submit" class="primary" disabled={busy || Boolean(problem)}>
            {busy ? 'Creating…' : 'Create'}
          </button>
        </div>
      </form>
    </section>
  );
}
