import { Rule } from '../types';

// PLACEHOLDER: to be implemented.
export const portConflict: Rule = {
  id: 'port-conflict',
  defaultSeverity: 'warning',
  description: 'TODO',
  appliesTo: ['carbon'],
  check() {},
};
