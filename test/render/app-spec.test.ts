import { describe, expect, it } from 'vitest';
import type { AppSpec } from '../../src/domain/app-spec.js';
import { appDir } from '../../src/domain/layout.js';
import { InputError, ManifestError } from '../../src/errors.js';
import { parseAppSpec, renderApp, TEMPLATE_VERSION, type RenderSettings } from '../../src/render/index.js';
import { loadTemplates } from '../../src/adapters/templates/template-files.js';
import { DIGEST_A, LOCKED_SETTINGS, multiFileSpec, securedSpec, SETTINGS, singleFileSpec } from './support.js';

const templates = loadTemplates();
const berthYamlOf = (spec: AppSpec, settings: RenderSettings = SETTINGS) => renderApp(spec, settings, templates).get(`${appDir(spec)}/berth.yaml`) ?? '';

describe('parseAppSpec', () => {
  it('is the inverse of renderApp, from a Map or a plain object of files', () => {
    for (const spec of [singleFileSpec(), multiFileSpec(), securedSpec()]) {
      const text = berthYamlOf(spec, LOCKED_SETTINGS);
      expect(parseAppSpec(text, new Map(Object.entries(spec.files)))).toEqual(spec);
      expect(parseAppSpec(text, spec.files)).toEqual(spec);
    }
  });

  it('round-trips hostile values and re-renders byte for byte', () => {
    const spec = singleFileSpec({ owner: 'O\'Brien "ob" \n---', env: { A: '{{x}}\n--- !!python/object', B: '' } });
    const first = renderApp(spec, SETTINGS, templates);
    const back = parseAppSpec(first.get('tenants/2b/alice/hello/berth.yaml') ?? '', spec.files);
    expect(back).toEqual(spec);
    expect(renderApp(back, SETTINGS, templates)).toEqual(first);
  });

  it('returns the normal form: sorted secret names, no absent optional fields', () => {
    const spec = { ...securedSpec(), secretEnv: ['DATABASE_URL', 'API_TOKEN'] };
    const back = parseAppSpec(berthYamlOf(spec), spec.files);
    expect(back.secretEnv).toEqual(['API_TOKEN', 'DATABASE_URL']);
    const plain = parseAppSpec(berthYamlOf(singleFileSpec()), singleFileSpec().files);
    expect(Object.keys(plain)).not.toContain('runner');
    expect(Object.keys(plain)).not.toContain('asleepSince');
  });

  it('records the current template version, refusing to render an app from a newer one', () => {
    const old = singleFileSpec({ templateVersion: 0 });
    expect(parseAppSpec(berthYamlOf(old), old.files).templateVersion).toBe(TEMPLATE_VERSION);
    expect(() => renderApp(singleFileSpec({ templateVersion: TEMPLATE_VERSION + 1 }), SETTINGS, templates)).toThrow(InputError);
  });

  const good = berthYamlOf(securedSpec());
  const files = securedSpec().files;
  const broken: Record<string, [string, Readonly<Record<string, string>>]> = {
    'not YAML': ['spec: [', files],
    'empty file': ['', files],
    'two documents': [`${good}---\n${good}`, files],
    'an unknown field': [good.replace('  replicas: 0', '  replicas: 0\n  extra: 1'), files],
    'a wrong kind': [good.replace('kind: App', 'kind: Deployment'), files],
    'an invalid tenant name': [good.replace('tenant: "carol"', 'tenant: "Carol"'), files],
    'a "--" in the app name': [good.replace('name: "vault"', 'name: "va--ult"'), files],
    'a lower-case env name': [good.replace('"MODE"', '"mode"'), files],
    'a reserved env name': [good.replace('"MODE"', '"PORT"'), files],
    'a bad digest': [good.replace(/sha256:a1/, 'sha256:zz'), files],
    'a newer template version': [good.replace('templateVersion: 1', 'templateVersion: 999'), files],
    'an alias': [good.replace('owner: "carol"', 'owner: &o "carol"\n  entrypoint2: *o'), files],
    'a tag': [good.replace('owner: "carol"', 'owner: !!str carol'), files],
    'a duplicate key': [good.replace('  replicas: 0', '  replicas: 0\n  replicas: 1'), files],
    'an entrypoint that is not a file': [good, { 'app.py': 'x = 1\n' }],
    'an invalid code path': [good, { ...files, '../etc/passwd.txt': 'x' }],
    'a nested path with dots': [good, { ...files, 'a.b/c.py': 'x' }],
    'no files at all': [good, {}],
  };

  for (const [name, [text, codeFiles]] of Object.entries(broken)) {
    it(`throws ManifestError for ${name}`, () => {
      expect(() => parseAppSpec(text, codeFiles)).toThrow(ManifestError);
    });
  }
});

describe('renderApp input checks', () => {
  const base = securedSpec();
  const bad: Record<string, AppSpec> = {
    'an invalid tenant': { ...base, tenant: 'Carol' },
    'a "--" in the app name': { ...base, app: 'a--b' },
    'a name too long': { ...base, app: 'a'.repeat(31) },
    'a hidden file': { ...base, files: { ...base.files, '.env': 'x' } },
    'an absolute path': { ...base, files: { ...base.files, '/main2.py': 'x' } },
    'a path escaping code/': { ...base, files: { ...base.files, '../x.py': 'x' } },
    'no files': { ...base, files: {} },
    'an entrypoint not among the files': { ...base, entrypoint: 'other.py' },
    'a non-Python entrypoint': { ...base, entrypoint: 'x.txt', files: { ...base.files, 'x.txt': 'x' } },
    'an invalid env name': { ...base, env: { 'my-var': 'x' } },
    'a reserved env name': { ...base, env: { CODE_DIR: '/tmp' } },
    'a variable both plain and secret': { ...base, env: { API_TOKEN: 'x' } },
    'a secret listed twice': { ...base, secretEnv: ['API_TOKEN', 'API_TOKEN'] },
    'a lone surrogate': { ...base, env: { A: 'x\ud800' } },
    'DEL in an env value': { ...base, env: { A: 'x\u007f' } },
    'a C1 control in a file': { ...base, files: { 'main.py': 'x = "\u0085"\n' } },
    'U+FFFE in an env value': { ...base, env: { A: '\ufffe' } },
    'a multi-line value starting with a tab': { ...base, env: { A: '\tx\ny' } },
    'a runner image with a tag': { ...base, runner: { image: 'ghcr.io/x/runner:latest', digest: DIGEST_A } },
    'a runner digest that is a tag': { ...base, runner: { image: 'ghcr.io/x/runner', digest: 'latest' } },
    'replicas 2': { ...base, replicas: 2 as 1 },
    'an asleepSince that is not a timestamp': { ...base, asleepSince: 'yesterday' },
    'an empty owner': { ...base, owner: '' },
  };

  for (const [name, spec] of Object.entries(bad)) {
    it(`throws InputError for ${name}`, () => {
      expect(() => renderApp(spec, SETTINGS, templates)).toThrow(InputError);
    });
  }

  const badSettings: Record<string, RenderSettings> = {
    'a backtick in appDomain': { ...SETTINGS, appDomain: 'x`) || Host(`evil.com' },
    'an upper-case namespace prefix': { ...SETTINGS, tenantNamespacePrefix: 'Berth-' },
    'a privileged port': { ...SETTINGS, containerPort: 80 },
    'a duration that is not one': { ...SETTINGS, flux: { ...SETTINGS.flux, interval: 'often' } },
    'a newline in the entry point': { ...SETTINGS, ingress: { ...SETTINGS.ingress, entryPoint: 'web\nsecure' } },
  };
  for (const [name, settings] of Object.entries(badSettings)) {
    it(`throws InputError for settings with ${name}`, () => {
      expect(() => renderApp(singleFileSpec(), settings, templates)).toThrow(InputError);
    });
  }
});
