import { PortFact } from '../ports/values';
import { PortIndex, listeningPorts } from '../ports/conflicts';
import { HomeFacts } from '../workspace/facts';
import { Rule } from '../types';
import { offsetAnchor } from './port-offset';
import { describeOffset } from '../ports/offset';

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
    const index = portIndexOf(workspace.homes);
    const { named, total } = index.conflictsOf(home, MAX_HOMES_NAMED);
    if (total === 0) return;
    const mine = listeningPorts(home, home.offset.value);
    const lowestFree = index.lowestFreeOffset(home);
    const unreported = total - named.length;
    for (const { other, ports: shared } of named) {
      const theirs = listeningPorts(other, other.offset.value!);
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
        data: { moreHomes: unreported, lowestFreeOffset: lowestFree },
      });
    }
  },
};

/**
 * One index per set of home facts: the analyzer hands every carbon.xml of a validation pass the same array, so the
 * index is built once per pass and each home's check costs its own ports.
 */
const indexes = new WeakMap<readonly HomeFacts[], PortIndex>();
function portIndexOf(homes: readonly HomeFacts[]): PortIndex {
  let index = indexes.get(homes);
  if (!index) indexes.set(homes, (index = new PortIndex(homes)));
  return index;
}

/** Conflicting homes named one by one on a carbon.xml; the rest are counted in one more finding. */
export const MAX_HOMES_NAMED = 10;

function labels(ports: PortFact[]): string {
  return [...new Set(ports.map((p) => `${p.label} in ${p.confRelativePath}`))].join(' and ');
}
