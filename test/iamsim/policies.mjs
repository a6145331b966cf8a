// policies.mjs: loads the policy templates of policies/iam and fills in template placeholders,
// for the tests here. (The CDK app substitutes the same tokens in Go, policies/iam.go; this is
// the test-side equivalent.) AWS managed policies come from managed.mjs.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const POLICY_DIR = join(here, '..', '..', 'policies', 'iam');

/** The placeholder tokens the templates may use (see policies/iam/README.md; policies.IAMTokens in Go). */
export const PLACEHOLDERS = [
  'Partition',
  'AccountId',
  'Region',
  'TrailName',
  'LogBucketPrefix',
  'KeyAliasPrefix',
  'AlarmPrefix',
  'TopicName',
  'LogGroupName',
  'LogGroupPrefix',
  'StackPrefix',
  'AdminRoleName',
  'OperatorRoleName',
  'ReadOnlyRoleName',
  'AdminGroupName',
  'OperatorGroupName',
  'ReadOnlyGroupName',
  'RulePrefix',
  'OwnerTagKey'
];

export function loadTemplate(name) {
  return JSON.parse(readFileSync(join(POLICY_DIR, `${name}.json`), 'utf8'));
}

export function substitute(document, values) {
  const text = JSON.stringify(document).replace(/\$\{([A-Za-z][A-Za-z0-9]*)\}/g, (m, token) => {
    if (!PLACEHOLDERS.includes(token)) throw new Error(`unknown placeholder ${m}`);
    if (typeof values[token] !== 'string') throw new Error(`no value for placeholder ${m}`);
    // The value goes inside a JSON string.
    return JSON.stringify(values[token]).slice(1, -1);
  });
  return JSON.parse(text);
}
