/**
 * deployment.toml (Carbon 4.5+ products: API Manager 3.2-4.x, Identity Server 5.11-7.x, Micro Integrator 4.x) as a
 * document kind: what a front or the service facade needs. Pure: file reads come in through `readHomeFile`.
 */
export { analyseDeploymentToml, TOML_RULES } from './analyse';
export type { AnalyseTomlOptions, TomlAnalysis } from './analyse';
export { buildTomlModel, describeOrigin, describeReference, protectionOf } from './effective';
export type { EffectiveValue, Protection, Resolution, TomlModel, ValueOrigin } from './effective';
export { detectTomlHome, tomlHomeOf } from './home';
export type { TomlHome } from './home';
export { PRODUCT_NAMES, bundledKnowledge, loadKnowledge } from './knowledge';
export type { ConfigKnowledge, HomeFileReader, TomlProduct } from './knowledge';
export { parseDeploymentToml } from './parse';
export type { TomlDocument, TomlEntry, TomlTable } from './parse';
export { explainTomlPort, tomlOffset, tomlPorts } from './ports';
export type { TomlOffset, TomlPort } from './ports';
export { planTomlFixes, planTomlSuppression, planTomlTlsFix } from './fixes';
export type { TomlFix } from './fixes';
export type { TomlFinding, TomlRule, TomlRuleId } from './types';
export { TOML_VAULT_TITLE_ALL, TOML_VAULT_TITLE_ONE, aliasFor, envVariableFor, keystorePathOf, planTomlEnvReference, planTomlSecureVault } from './securevault';
export type { KeystorePasswordRequest, TomlVaultEncrypted, TomlVaultFix, TomlVaultInput, TomlVaultPlan, TomlVaultSkipCode, TomlVaultSkipped } from './securevault';
