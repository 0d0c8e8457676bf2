import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.js';
import { compileTemplate, renderApp, renderTenant } from '../../src/render/index.js';
import { defaultTemplatesDir, loadTemplates } from '../../src/adapters/templates/template-files.js';
import { multiFileSpec, removeTemp, SETTINGS } from './support.js';

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

describe('read-back of rendered files (the second line of defence)', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(removeTemp));

  /** The shipped templates with one file edited. */
  function templatesWith(file: string, edit: (source: string) => string) {
    const dir = mkdtempSync(join(tmpdir(), 'berth-templates-'));
    dirs.push(dir);
    cpSync(defaultTemplatesDir(), dir, { recursive: true });
    const path = join(dir, file);
    writeFileSync(path, edit(readFileSync(path, 'utf8')));
    return loadTemplates(dir);
  }

  const broken: Record<string, [string, (source: string) => string]> = {
    'a key the schema does not name': [
      'app/deployment.yaml.hbs',
      (s) => s.replace('      enableServiceLinks: false', '      enableServiceLinks: false\n      hostNetwork: true'),
    ],
    'a weakened security context': ['app/deployment.yaml.hbs', (s) => s.replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false')],
    'a second document': ['app/service.yaml.hbs', (s) => `${s}---\napiVersion: v1\nkind: Secret\n`],
    'a duplicate key': ['app/service.yaml.hbs', (s) => s.replace('  type: ClusterIP', '  type: ClusterIP\n  type: NodePort')],
    'an env value that is not the one given': ['app/deployment.yaml.hbs', (s) => s.replace('value: {{q value}}', 'value: {{q name}}')],
    'a code item pointing elsewhere': ['app/deployment.yaml.hbs', (s) => s.replace('path: {{q path}}', 'path: {{q key}}')],
    'berth.yaml losing a field': ['app/berth.yaml.hbs', (s) => s.replace('  owner: {{q berth.owner}}\n', '  owner: "someone"\n')],
    'an anchor': ['app/networkpolicy.yaml.hbs', (s) => s.replace('  policyTypes:', '  policyTypes: &types')],
  };

  for (const [name, [file, edit]] of Object.entries(broken)) {
    it(`renderApp throws ManifestError for ${name}`, () => {
      const templates = templatesWith(file, edit);
      expect(() => renderApp(multiFileSpec(), SETTINGS, templates)).toThrow(ManifestError);
    });
  }

  it('renderTenant throws ManifestError when the namespace stops enforcing the restricted level', () => {
    const templates = templatesWith('index/tenant-namespace.yaml.hbs', (s) => s.replace('enforce: restricted', 'enforce: privileged'));
    expect(() => renderTenant('alice', ['hello'], SETTINGS, templates)).toThrow(ManifestError);
  });
});
