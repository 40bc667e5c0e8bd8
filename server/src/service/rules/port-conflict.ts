import { PortFact } from '../ports/values';
import { listeningPorts, lowestFreeOffset } from '../ports/conflicts';
import { Rule } from '../types';
import { describeOffset, offsetAnchor } from './port-offset';

/**
 * Two product homes that would open the same port on one host: the second to start fails to bind. This is what the
 * offset is for (wso2/carbon-kernel v4.4.35 (CarbonBaseActivator.java, CarbonTomcat.java, CarbonUtils.getPortFromServerConfig) and wso2/wso2-synapse PassThroughHttpListener.java); EI's profiles ship offsets 0/2/3 precisely so that they do not collide. Every pair is
 * compared, profiles of one distribution included: they run side by side on one host just the same.
 */

export const portConflict: Rule = {
  id: 'port-conflict',
  defaultSeverity: 'warning',
  description: 'Another product home of the workspace opens the same ports once offsets are applied.',
  appliesTo: ['carbon'],
  check({ doc, home, workspace, report }) {
    if (!home || home.offset.value === undefined) return;
    const anchor = offsetAnchor(doc);
    if (!anchor) return;
    const others = workspace.homes.filter((h) => h.home.homeDir !== home.home.homeDir && h.offset.value !== undefined);
    if (others.length === 0) return;
    const mine = listeningPorts(home, home.offset.value);
    let lowestFree: number | null | undefined; // computed once, and only when there is a conflict
    let reported = 0;
    let unreported = 0;
    for (const other of others) {
      const theirs = listeningPorts(other, other.offset.value!);
      const shared = [...mine.keys()].filter((port) => theirs.has(port)).sort((a, b) => a - b);
      if (shared.length === 0) continue;
      // A workspace of many copies (backups, a CI tree) collides everywhere: name a few homes, count the rest.
      if (reported >= MAX_HOMES_NAMED) {
        unreported++;
        continue;
      }
      reported++;
      if (lowestFree === undefined) lowestFree = lowestFreeOffset(home, others);
      const ports = shared.map((port) => ({ port, here: labels(mine.get(port)!), there: labels(theirs.get(port)!) }));
      const listed = ports.map((p) => (p.here === p.there ? `${p.port} (${p.here})` : `${p.port} (${p.here} here, ${p.there} there)`)).join(', ');
      const advice =
        lowestFree === null
          ? 'No offset for this home avoids every other home of the workspace.'
          : `Offset ${lowestFree} is the lowest that collides with no other home of the workspace.`;
      report({
        span: anchor,
        message: `This home (${describeOffset(home.offset.value, home.offset.source)}) and the product home ${other.home.homeDir} (${describeOffset(other.offset.value!, other.offset.source)}) open the same ${shared.length === 1 ? 'port' : 'ports'}: ${listed}. Whichever starts second fails to bind. ${advice}`,
        data: { otherHome: other.home.homeDir, ports, lowestFreeOffset: lowestFree },
      });
    }
    if (unreported > 0) {
      report({
        span: anchor,
        message: `${unreported} more product home${unreported === 1 ? '' : 's'} of the workspace open ports this home opens too (only the first ${MAX_HOMES_NAMED} are named). Exclude copies that do not run on this host (the "exclude" setting), or give each home its own offset.`,
        data: { moreHomes: unreported, lowestFreeOffset: lowestFree ?? null },
      });
    }
  },
};

/** Conflicting homes named one by one on a carbon.xml; the rest are counted in one more finding. */
export const MAX_HOMES_NAMED = 10;

function labels(ports: PortFact[]): string {
  return [...new Set(ports.map((p) => `${p.label} in ${p.confRelativePath}`))].join(' and ');
}
