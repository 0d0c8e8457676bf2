import { describe, expect, it } from 'vitest';
import { codePathProblem } from '../../src/domain/code-paths.js';
import { nameProblem } from '../../src/domain/names.js';
import { envSchema, runnerImageSchema } from '../../src/http/schemas.js';
import * as web from '../../src/web/lib/rules.js';

/*
 * The UI checks names, paths, env keys and digests as the person types with
 * its own copy of the rules (the domain modules pull in node:crypto). These
 * must say what the API says, word for word.
 */
const NAMES = ['todo', 'a', 'my-app', 'My-App', 'my--app', '-app', 'app-', 'a'.repeat(30), 'a'.repeat(31), '', 'app_1', 'app.1', '9lives', 'ümlaut'];
const PATHS = [
  'main.py',
  'static/site.css',
  'pkg/sub/mod.py',
  '/abs.py',
  '../up.py',
  'a/./b.py',
  '.hidden.py',
  'Main.py',
  'file.exe',
  'a/B/c.py',
  'x'.repeat(201),
  'a/b/c/d/e/f/g/h/i.py',
  'noext',
  'pkg/.env',
];
const ENV = ['API_KEY', '_X', 'A1', '1A', 'api_key', 'API-KEY', '', 'X'.repeat(128), 'X'.repeat(129)];
const DIGESTS = [`sha256:${'a'.repeat(64)}`, `sha256:${'A'.repeat(64)}`, 'sha256:abc', `sha512:${'a'.repeat(64)}`, ''];

describe('the UI rules agree with the API', () => {
  it('names', () => {
    for (const name of NAMES) expect(web.nameProblem(name), name).toBe(nameProblem(name));
  });

  it('file paths', () => {
    for (const path of PATHS) expect(web.codePathProblem(path), path).toBe(codePathProblem(path));
  });

  it('env names', () => {
    for (const name of ENV) {
      const api = envSchema.safeParse({ [name]: 'v' });
      expect(web.envNameProblem(name) === undefined, name).toBe(api.success);
    }
  });

  it('runner digests and images', () => {
    for (const digest of DIGESTS) {
      const api = runnerImageSchema.safeParse({ image: 'ghcr.io/acme/runner', digest });
      expect(web.digestProblem(digest) === undefined, digest).toBe(api.success);
    }
    for (const image of ['ghcr.io/acme/runner', 'Ghcr.io/x', 'ghcr.io/acme/runner:1.0', 'localhost:5000/runner', '']) {
      const api = runnerImageSchema.safeParse({ image, digest: `sha256:${'a'.repeat(64)}` });
      expect(web.imageProblem(image) === undefined, image).toBe(api.success);
    }
  });
});
