import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tenantGroup } from '../../src/domain/names.js';
import { InputError } from '../../src/errors.js';
import { renderApp, renderGroup, renderRoot, renderTenant, type RenderSettings, type Templates } from '../../src/render/index.js';
import { defaultTemplates, loadTemplates } from '../../src/adapters/templates/template-files.js';
import { GOLDEN_ROOT, LOCKED_SETTINGS, multiFileSpec, readTree, securedSpec, SETTINGS, singleFileSpec, writeTree } from './support.js';

/*
 * Golden files: the exact bytes Berth commits, reviewed like code. After a
 * deliberate template change run `UPDATE_GOLDEN=1 npx vitest run test/render`
 * and review the fixture diff (and bump TEMPLATE_VERSION).
 */

const UPDATE = process.env.UPDATE_GOLDEN === '1';
const templates: Templates = loadTemplates();

function renderIndex(settings: RenderSettings, fleet: Record<string, string[]>): Map<string, string> {
  const out = new Map<string, string>();
  const groups = new Map<string, string[]>();
  for (const [tenant, apps] of Object.entries(fleet)) {
    for (const entry of renderTenant(tenant, apps, settings, templates)) out.set(...entry);
    groups.set(tenantGroup(tenant), [...(groups.get(tenantGroup(tenant)) ?? []), tenant]);
  }
  for (const [group, tenants] of groups) for (const entry of renderGroup(group, tenants, settings, templates)) out.set(...entry);
  for (const entry of renderRoot(groups.keys(), templates)) out.set(...entry);
  return out;
}

const cases: Record<string, () => Map<string, string>> = {
  'single-file': () => renderApp(singleFileSpec(), SETTINGS, templates),
  'multi-file': () => renderApp(multiFileSpec(), SETTINGS, templates),
  'secrets-pin-lockdown-asleep': () => renderApp(securedSpec(), LOCKED_SETTINGS, templates),
  // "tau" hashes into the same group as "alice" (2b): one group listing two tenants.
  index: () => renderIndex(SETTINGS, { alice: ['hello', 'todo'], tau: ['clock'], bob: ['shop'], carol: ['vault'] }),
  'index-lockdown': () => renderIndex(LOCKED_SETTINGS, { carol: ['vault'] }),
  'index-empty': () => renderRoot([], templates),
};

describe('golden files', () => {
  for (const [name, render] of Object.entries(cases)) {
    it(`${name} matches test/fixtures/render/${name}`, () => {
      const rendered = render();
      const dir = join(GOLDEN_ROOT, name);
      if (UPDATE) {
        rmSync(dir, { recursive: true, force: true });
        writeTree(dir, rendered);
      }
      if (!existsSync(dir)) throw new Error(`no golden files for ${name}: run with UPDATE_GOLDEN=1 and review them`);
      const golden = readTree(dir);
      expect([...rendered.keys()].sort()).toEqual([...golden.keys()].sort());
      for (const [path, text] of rendered) expect(text, path).toBe(golden.get(path));
    });
  }
});

describe('determinism', () => {
  it('renders byte-identical output twice, with freshly loaded templates too', () => {
    for (const render of Object.values(cases)) {
      const first = render();
      const second = render();
      expect([...second.entries()]).toEqual([...first.entries()]);
    }
    const again = loadTemplates();
    expect([...renderApp(multiFileSpec(), SETTINGS, again).entries()]).toEqual([...renderApp(multiFileSpec(), SETTINGS, templates).entries()]);
  });

  it('does not depend on the order of env keys, secret names, files or list inputs', () => {
    const spec = multiFileSpec();
    const shuffled = {
      ...spec,
      env: Object.fromEntries(Object.entries(spec.env).reverse()),
      files: Object.fromEntries(Object.entries(spec.files).reverse()),
    };
    expect([...renderApp(shuffled, SETTINGS, templates).entries()]).toEqual([...renderApp(spec, SETTINGS, templates).entries()]);
    const secured = securedSpec();
    const reversed = { ...secured, secretEnv: [...secured.secretEnv].reverse() };
    expect(renderApp(reversed, LOCKED_SETTINGS, templates)).toEqual(renderApp(secured, LOCKED_SETTINGS, templates));
    expect(renderTenant('alice', ['todo', 'hello', 'todo'], SETTINGS, templates)).toEqual(renderTenant('alice', ['hello', 'todo'], SETTINGS, templates));
    expect(renderRoot(['ff', '0a', '0a'], templates)).toEqual(renderRoot(['0a', 'ff'], templates));
  });

  it('returns app files in a fixed order: manifests, berth.yaml, code/, then the Flux Kustomization', () => {
    const paths = [...renderApp(multiFileSpec(), SETTINGS, templates).keys()];
    const dir = 'tenants/81/bob/shop';
    expect(paths.slice(0, 6)).toEqual(
      ['kustomization.yaml', 'deployment.yaml', 'service.yaml', 'ingressroute.yaml', 'networkpolicy.yaml', 'berth.yaml'].map((f) => `${dir}/${f}`),
    );
    expect(paths.at(-1)).toBe(`flux/groups/${tenantGroup('bob')}/bob/shop.yaml`);
    expect(paths.filter((p) => p.startsWith(`${dir}/code/`))).toEqual(
      Object.keys(multiFileSpec().files)
        .sort()
        .map((p) => `${dir}/code/${p}`),
    );
    expect(paths.some((p) => p.endsWith('secret.sops.yaml'))).toBe(false);
  });
});

describe('index inputs', () => {
  it('refuses bad groups, names, and tenants filed under the wrong group', () => {
    expect(() => renderRoot(['1'], templates)).toThrow(InputError);
    expect(() => renderRoot(['ZZ'], templates)).toThrow(InputError);
    expect(() => renderGroup('2b', ['bob'], SETTINGS, templates)).toThrow(/belongs to group 81/);
    expect(() => renderGroup('2b', ['Alice'], SETTINGS, templates)).toThrow(InputError);
    expect(() => renderTenant('alice', ['a--b'], SETTINGS, templates)).toThrow(InputError);
    expect(() => renderTenant('alice', ['ok'], { ...SETTINGS, tenantNamespacePrefix: 'x'.repeat(40) }, templates)).toThrow(InputError);
  });

  it('renders the same index from the package templates loaded once by the adapter (templates are an explicit input)', () => {
    expect(defaultTemplates()).toBe(defaultTemplates());
    expect(renderTenant('alice', ['hello'], SETTINGS, defaultTemplates())).toEqual(renderTenant('alice', ['hello'], SETTINGS, templates));
    expect(renderRoot(['2b'], defaultTemplates())).toEqual(renderRoot(['2b'], templates));
  });
});
