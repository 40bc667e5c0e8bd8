import { TextSpan } from '../../model/text';
import { EffectiveValue, TomlModel, describeOrigin, isScalar } from '../effective';
import { TOML_RULES_DATA } from '../knowledge';
import { anchorFor, splitFlatKey } from '../keys';
import { TomlEntry } from '../parse';
import { TomlRule } from '../types';

/**
 * Embedded H2 databases configured through deployment.toml: `[database.<name>]` tables (type, url or driver, after
 * carbon-kernel infer.json `database.$1.type = "h2"` which implies an H2 url and driver), `[[datasource]]` elements and
 * `[datasource.<id>]` tables. WSO2CARBON_DB (`[database.local]`, `[database.registry_db]`) may stay H2 as a local
 * registry (WSO2 IS docs "Changing to remote H2"; APIM docs "Setting up databases: overview"), so it is information
 * only; an H2 database the user never wrote (a default.json url) is information too. A JDBC URL may carry credentials:
 * messages name the database, never the URL.
 */

const WHY_H2 =
  'The embedded H2 database is for evaluation and development; for production WSO2 recommends MySQL, PostgreSQL, Oracle, MS SQL Server or DB2 (an H2 file inside one home cannot be shared by a cluster and is easily corrupted).';

const INFORMATION_TABLES = new Set(TOML_RULES_DATA.h2.informationTables);

interface Database {
  readonly name: string;
  readonly type?: EffectiveValue;
  readonly url?: EffectiveValue;
  readonly driver?: EffectiveValue;
}

export const h2Datasource: TomlRule = {
  id: 'h2-datasource',
  defaultSeverity: 'warning',
  description: 'A [database.*] table or [[datasource]] of deployment.toml uses embedded H2 (evaluation only, corruption-prone).',
  check({ model, report }) {
    for (const db of databasesOf(model)) {
      const evidence = h2Evidence(model, db);
      if (!evidence) continue;
      const table = `database.${db.name}`;
      const userWritten = evidence.origin.kind === 'user';
      const information = INFORMATION_TABLES.has(table) || !userWritten;
      const span = userWritten ? (evidence.origin as { entry: TomlEntry }).entry.valueSpan : anchorFor(model, table).span;
      const registryNote = INFORMATION_TABLES.has(table) ? ' It holds the local registry (WSO2CARBON_DB), which WSO2 allows to stay on H2 for a single node.' : '';
      const source = userWritten ? `its ${evidence.what}` : `its ${evidence.what}, from ${describeOrigin(evidence.origin)} (deployment.toml does not set it)`;
      report({
        span,
        message: `Database [${table}] uses an embedded H2 database (${source} ${evidence.says}).${registryNote} ${WHY_H2}`,
        ...(information ? { severity: 'information' as const } : {}),
        data: { database: table, detectedBy: evidence.what, inherited: !userWritten },
      });
    }
    for (const group of datasourceElements(model)) {
      const url = group.find((e) => e.key === 'datasource:url');
      const driver = group.find((e) => e.key === 'datasource:driver');
      const byUrl = url && isScalar(url.value) && isH2Url(String(model.resolveValue(url.value).value));
      const byDriver = driver && isScalar(driver.value) && String(model.resolveValue(driver.value).value) === 'org.h2.Driver';
      if (!byUrl && !byDriver) continue;
      const id = group.find((e) => e.key === 'datasource:id');
      const name = id && typeof id.value === 'string' ? id.value : `#${(group[0].arrayIndex ?? 0) + 1}`;
      const span: TextSpan = byUrl ? url!.valueSpan : driver!.valueSpan;
      report({
        span,
        message: `Datasource [[datasource]] ${name} uses an embedded H2 database (its ${byUrl ? 'url is a jdbc:h2: URL' : 'driver is org.h2.Driver'}). ${WHY_H2}`,
        data: { datasource: name, detectedBy: byUrl ? 'url' : 'driver' },
      });
    }
  },
};

/** `[database.<name>]` and `[datasource.<id>]` groups, from every effective key (user, inferred or default). */
function databasesOf(model: TomlModel): Database[] {
  const byName = new Map<string, { type?: EffectiveValue; url?: EffectiveValue; driver?: EffectiveValue }>();
  for (const [key, value] of model.values) {
    if (!key.startsWith('database.') && !key.startsWith('datasource.')) continue;
    const segments = splitFlatKey(key);
    const field = segments[segments.length - 1];
    if (field !== 'type' && field !== 'url' && field !== 'driver') continue;
    if (segments.length < 3 || segments.length > 4) continue;
    const name = (segments[0] === 'datasource' ? ['datasource', ...segments.slice(1, -1)] : segments.slice(1, -1)).join('.');
    const group = byName.get(name) ?? {};
    group[field] = value;
    byName.set(name, group);
  }
  return [...byName.entries()].map(([name, group]) => ({ name, ...group }));
}

function h2Evidence(model: TomlModel, db: Database): { what: string; says: string; origin: EffectiveValue['origin'] } | undefined {
  const candidates: { value?: EffectiveValue; what: string; says: string; test: (v: string) => boolean }[] = [
    { value: db.url, what: 'url', says: 'is a jdbc:h2: URL', test: isH2Url },
    { value: db.type, what: 'type', says: 'is "h2"', test: (v) => v.toLowerCase() === 'h2' },
    { value: db.driver, what: 'driver', says: 'is org.h2.Driver', test: (v) => v === 'org.h2.Driver' },
  ];
  // The URL is what the runtime connects to: a user url that is not H2 wins over a type or a default.
  const url = db.url;
  if (url && url.origin.kind === 'user') {
    const resolved = model.resolve(url.key);
    if (resolved && !isH2Url(String(resolved.value))) return undefined;
  }
  const hits = candidates.filter((c) => c.value && isScalar(c.value.value) && c.test(String(model.resolve(c.value.key)?.value ?? c.value.value)));
  if (hits.length === 0) return undefined;
  const written = hits.find((h) => h.value!.origin.kind === 'user');
  const chosen = written ?? hits.find((h) => h.value!.origin.kind === 'inferred') ?? hits[0];
  // A type the user wrote that infers the H2 url: report on what the user wrote.
  if (!written && chosen.value!.origin.kind === 'inferred') {
    const trigger = chosen.value!.origin.trigger;
    return { what: chosen.what, says: `${chosen.says}, inferred from ${trigger.key}`, origin: { kind: 'user', entry: trigger, writtenKey: trigger.key } };
  }
  return { what: chosen.what, says: chosen.says, origin: chosen.value!.origin };
}

function isH2Url(url: string): boolean {
  return url.trimStart().toLowerCase().startsWith('jdbc:h2:');
}

function datasourceElements(model: TomlModel): TomlEntry[][] {
  const byIndex = new Map<number, TomlEntry[]>();
  for (const { key, entry } of model.arrayEntries) {
    if (!key.startsWith('datasource:')) continue;
    const list = byIndex.get(entry.arrayIndex ?? 0) ?? [];
    list.push({ ...entry, key });
    byIndex.set(entry.arrayIndex ?? 0, list);
  }
  return [...byIndex.values()];
}
