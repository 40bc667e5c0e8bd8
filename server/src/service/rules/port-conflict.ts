import { portConflictReports } from '../ports/conflicts';
import { CrossHomeRule, Rule } from '../types';
import { offsetAnchor } from './port-offset';

/**
 * Two product homes that would open the same port on one host: the second to start fails to bind. This is what the
 * offset is for (wso2/carbon-kernel v4.4.35 (CarbonBaseActivator.java, CarbonTomcat.java, CarbonUtils.getPortFromServerConfig) and wso2/wso2-synapse PassThroughHttpListener.java); EI's profiles ship offsets 0/2/3 precisely so that they do not collide. Every other
 * home counts, profiles of one distribution included: they run side by side on one host just the same.
 */

const crossHome: CrossHomeRule = {
  anchor: offsetAnchor,
  check: (home, homes, anchor) => portConflictReports(home, homes, anchor, (lowestFree) => `Offset ${lowestFree} is the lowest that collides with no other home of the workspace.`),
};

export const portConflict: Rule = {
  id: 'port-conflict',
  defaultSeverity: 'warning',
  description: 'Another product home of the workspace opens the same ports once offsets are applied.',
  appliesTo: ['carbon'],
  crossHome,
  check({ doc, home, workspace, report }) {
    if (!home) return;
    const anchor = crossHome.anchor(doc);
    if (anchor) for (const finding of crossHome.check(home, workspace.homes, anchor)) report(finding);
  },
};
