import { Rule } from '../types';

// PLACEHOLDER: to be implemented.
export const h2Datasource: Rule = {
  id: 'h2-datasource',
  defaultSeverity: 'warning',
  description: 'TODO',
  appliesTo: ['carbon', 'user-mgt', 'datasources', 'registry'],
  check() {},
};
