import { LineIndex } from '../model/text';
import { explicitEncryptSettings } from '../securevault/planner';
import type { CrossHomeCheck } from '../analyzer';
import { fingerprintsOf } from '../fingerprints';
import type { DocumentKind, DocumentRequest, KindEngine, KindHost } from '../index';
import type { Finding } from '../types';
import { DEPLOYMENT_TOML_KIND_ID, TomlEngineCore, recogniseDeploymentToml, tomlPortConflictSpan, tomlPortConflicts } from './kind';
import { applyTomlSuppressions } from './suppression';
import { homePlanOfToml, tomlFileEncryption } from './wiring';

/**
 * deployment.toml of Carbon 4.5+ products (API Manager 3.2+, Identity Server 5.11+, Micro Integrator 4.x): the
 * engine of toml/kind.ts. It claims no formatting or completion, only findings, fixes, hovers and hints, so it sits
 * beside a TOML extension as the XML kind sits beside an XML one.
 */
export const DEPLOYMENT_TOML_KIND: DocumentKind = {
  id: DEPLOYMENT_TOML_KIND_ID,
  languageId: 'toml',
  watchGlobs: ['**/deployment.toml'],
  recognise: recogniseDeploymentToml,
  createEngine: (host) => createTomlEngine(host),
};

/** The deployment.toml engine behind the KindEngine answers (the toml core does the work; this only adapts). */
function createTomlEngine(host: KindHost): KindEngine {
  const core = new TomlEngineCore({ files: host.files, log: host.log, changeEvents: host.changeEvents });
  const analysed = (request: DocumentRequest) => core.analyse(request.path, request.content, request.settings);
  return {
    parse(path, content) {
      const location = recogniseDeploymentToml(path);
      if (!location) return undefined;
      const text = content.kind === 'text' ? content.text : Buffer.from(content.bytes).toString('utf8');
      return { kind: DEPLOYMENT_TOML_KIND, location, text, lines: new LineIndex(text) };
    },
    async analyse(request) {
      const result = await analysed(request);
      if (!result) return { location: undefined, doc: undefined, findings: [] };
      const home = result.location.home;
      // The closure below names `settings`, not `request`: a deferred check would otherwise keep the file's content.
      const settings = request.settings;
      const severity = settings.rules['port-conflict'];
      const analysis = { location: result.location, doc: undefined, text: result.text, lines: result.lines };
      if (!home || !result.model || severity === 'off') return { ...analysis, findings: result.findings };
      // What the conflicts need of the document is taken now, so a deferred check keeps no model.
      const span = tomlPortConflictSpan(result.model);
      const suppressed = applyTomlSuppressions(result.model.doc, [{ ruleId: 'port-conflict', severity: 'warning', message: '', span }]).length === 0;
      const conflicts = async (): Promise<Finding[]> => {
        if (suppressed) return [];
        const own = await host.homeFacts(home, settings);
        return tomlPortConflicts(span, own, await host.workspaceHomes(own, settings), severity ?? 'warning');
      };
      if (!request.deferCrossHome) {
        const found = await conflicts();
        return { ...analysis, findings: found.length > 0 ? [...result.findings, ...found] : result.findings };
      }
      // The home's own facts now, while the model just built is at hand (a pass lets each file go after its analysis).
      await host.homeFacts(home, settings);
      const crossHome: CrossHomeCheck = { findings: conflicts, fingerprints: (findings, relativePath, relativize) => fingerprintsOf(relativePath, undefined, findings, relativize) };
      return { ...analysis, findings: result.findings, crossHome };
    },
    async fixesFor(request) {
      const result = await analysed(request);
      return result ? core.fixesFor(result, request.finding, request.settings) : [];
    },
    async hover(request) {
      const result = await analysed(request);
      return result ? core.hover(result, request.offset, request.settings) : undefined;
    },
    async inlayHints(request) {
      const result = await analysed(request);
      return result ? core.inlayHints(result, request.settings, request.from, request.to) : [];
    },
    invalidate: (path, change) => core.invalidate(path, change),
    tomlModel: (path, content) => core.model(path, content),
    clearCaches: () => core.clear(),
    planEncryption: ({ scope, keystorePassword }) => tomlFileEncryption(core, scope, explicitEncryptSettings(scope.settings), keystorePassword),
    planHomeEncryption: (home, keystorePassword, settingsFor) => homePlanOfToml(core, host.files, home, keystorePassword, settingsFor),
    // The toml TLS fixes write a profile's lists; run unattended they are planned one finding at a time (kind.ts).
    fixUnattended: (path, text, settings) => core.fixUnattended(path, text, settings),
  };
}
