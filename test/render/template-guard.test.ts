import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.js';
import { compileTemplate, defaultTemplatesDir, loadTemplates } from '../../src/render/index.js';
import { removeTemp } from './support.js';

describe('template guard', () => {
  const refused: Record<string, string> = {
    'bare mustache': 'name: {{app}}\n',
    'triple-stash': 'name: {{{app}}}\n',
    ampersand: 'name: {{&app}}\n',
    'bare this': '{{#each xs}}- {{this}}\n{{/each}}',
    'bare @key': '{{#each xs}}- {{@key}}\n{{/each}}',
    'helper without argument': 'name: {{q}}\n',
    'helper with two arguments': 'name: {{q a b}}\n',
    'helper with a hash': 'name: {{q a x=1}}\n',
    'nested helper call': 'name: {{q (lookup a b)}}\n',
    'unknown helper': 'name: {{raw app}}\n',
    'built-in lookup': 'name: {{lookup a "b"}}\n',
    'quoting helper as triple-stash': 'name: {{{q app}}}\n',
    'with block': '{{#with a}}x{{/with}}\n',
    'block over a helper call': '{{#if (q a)}}x{{/if}}\n',
    partial: '{{> other}}\n',
    'partial block': '{{#> other}}x{{/other}}\n',
    decorator: '{{* deco}}\n',
    'raw block': '{{{{raw}}}}{{x}}{{{{/raw}}}}\n',
    'bare mustache inside a block': '{{#if a}}\n  name: {{app}}\n{{/if}}\n',
    'bare mustache in an else branch': '{{#if a}}x{{else}}{{app}}{{/if}}\n',
    'bare mustache in an else-if chain': '{{#if a}}x{{else if b}}{{app}}{{/if}}\n',
  };

  for (const [name, source] of Object.entries(refused)) {
    it(`refuses a template with a ${name}`, () => {
      expect(() => compileTemplate(name, source)).toThrow(ManifestError);
    });
  }

  it('allows quoting helpers, literals, paths into the view and #each/#if/#unless', () => {
    const render = compileTemplate(
      'ok',
      '{{#each items}}- {{q name}}: {{int n}} {{bool on}} {{q ../prefix}} {{int @index}}\n{{/each}}{{#unless xs}}{{q "none"}}{{/unless}}\n',
    );
    expect(render({ prefix: 'p', items: [{ name: 'a"b', n: 1, on: true }] })).toBe('- "a\\"b": 1 true "p" 0\n"none"\n');
  });

  it('names the offending construct and its position', () => {
    expect(() => compileTemplate('deployment', 'a: 1\nname: {{app}}\n')).toThrow(/bare mustache \{\{app\}\}.*line 2/);
  });

  describe('loadTemplates', () => {
    const dirs: string[] = [];
    afterAll(() => dirs.forEach(removeTemp));

    function copyOfDefaults(): string {
      const dir = mkdtempSync(join(tmpdir(), 'berth-templates-'));
      dirs.push(dir);
      cpSync(defaultTemplatesDir(), dir, { recursive: true });
      return dir;
    }

    it('loads the shipped templates', () => {
      const templates = loadTemplates();
      expect(Object.keys(templates.app).sort()).toEqual(
        ['berth', 'deployment', 'flux-kustomization', 'ingressroute', 'kustomization', 'networkpolicy', 'service'].sort(),
      );
    });

    it('throws when a shipped template gains a bare mustache', () => {
      const dir = copyOfDefaults();
      const file = join(dir, 'app', 'deployment.yaml.hbs');
      writeFileSync(file, readFileSync(file, 'utf8').replace('name: {{q app}}', 'name: {{app}}'));
      expect(() => loadTemplates(dir)).toThrow(/deployment\.yaml\.hbs: bare mustache \{\{app\}\}/);
    });

    it('throws for a missing or an unknown template', () => {
      const missing = copyOfDefaults();
      removeTemp(join(missing, 'index', 'tenant-namespace.yaml.hbs'));
      expect(() => loadTemplates(missing)).toThrow(/missing template/);
      const extra = copyOfDefaults();
      writeFileSync(join(extra, 'app', 'pdb.yaml.hbs'), 'kind: PodDisruptionBudget\n');
      expect(() => loadTemplates(extra)).toThrow(/unknown templates.*pdb\.yaml\.hbs/);
    });
  });
});
