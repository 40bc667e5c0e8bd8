import { Rule } from '../types';

// PLACEHOLDER: to be implemented.
export const portOffset: Rule = {
  id: 'port-offset',
  defaultSeverity: 'warning',
  description: 'TODO',
  appliesTo: ['carbon', 'catalina-server', 'axis2'],
  check() {},
};
