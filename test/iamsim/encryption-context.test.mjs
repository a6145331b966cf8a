// Self-test of simulate.mjs's encryption-context adapter (see adaptPolicyEncryptionContext):
// iam-simulate alone cannot tell a right kms:EncryptionContext:<key> from a wrong one; with
// the adapter, a right one is allowed and a wrong or missing one is denied, on the Allow side
// and on the Deny side. Run with the other self-tests: node --test 'test/iamsim/*.test.mjs'.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { adaptPolicyEncryptionContext, encryptionContextStandIn, simulateCase } from './simulate.mjs';

const ACCOUNT = '111111111111';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/baseline-trail`;
const OTHER_TRAIL = 'arn:aws:cloudtrail:us-east-1:999999999999:trail/baseline-trail';
const LOG_GROUP = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/baseline/cloudtrail`;

// The CloudTrail statement of the baseline's archive key, in its simplest form.
const trailKeyPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'CloudTrailEncrypts',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: { StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': [TRAIL] } }
    }
  ]
};

function trailCase(context) {
  return {
    name: 'cloudtrail encrypts',
    principal: 'cloudtrail.amazonaws.com',
    action: 'kms:GenerateDataKey',
    resource: KEY,
    identityPolicies: [],
    resourcePolicy: trailKeyPolicy,
    context
  };
}

async function decide(c) {
  const r = await simulateCase(c);
  assert.deepEqual(r.errors, [], `${c.name}: ${JSON.stringify(r.errors)}`);
  return r;
}

describe('kms:EncryptionContext adapter', () => {
  test('iam-simulate alone gives a right and a wrong encryption context the same answer (why the adapter exists)', async () => {
    // If this starts failing, iam-simulate evaluates the key itself now and the adapter can go.
    const raw = async (ec) =>
      (
        await runSimulation(
          {
            request: {
              principal: 'cloudtrail.amazonaws.com',
              action: 'kms:GenerateDataKey',
              resource: { resource: KEY, accountId: ACCOUNT },
              contextVariables: { 'kms:EncryptionContext:aws:cloudtrail:arn': ec }
            },
            identityPolicies: [],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: trailKeyPolicy
          },
          { simulationMode: 'Strict' }
        )
      ).overallResult;
    assert.equal(await raw(TRAIL), await raw(OTHER_TRAIL));
  });

  test('allow side: the right context is allowed, a wrong or missing one denied', async () => {
    const right = await decide(trailCase({ 'kms:EncryptionContext:aws:cloudtrail:arn': TRAIL }));
    assert.equal(right.decision, 'Allowed');
    assert.deepEqual(right.adapted.encryptionContext, { contextKeys: ['kms:EncryptionContext:aws:cloudtrail:arn'], policyConditions: 1 });
    assert.equal((await decide(trailCase({ 'kms:EncryptionContext:aws:cloudtrail:arn': OTHER_TRAIL }))).decision, 'ImplicitlyDenied');
    assert.equal((await decide(trailCase({}))).decision, 'ImplicitlyDenied');
    // Another encryption-context key with the right value does not stand in for the named one.
    assert.equal((await decide(trailCase({ 'kms:EncryptionContext:aws:logs:arn': TRAIL }))).decision, 'ImplicitlyDenied');
  });

  test('deny side: a Deny on a wrong context fires, and not on the right one', async () => {
    const policy = structuredClone(trailKeyPolicy);
    policy.Statement[0].Action = 'kms:*';
    policy.Statement[0].Condition = {};
    policy.Statement.push({
      Sid: 'DenyOtherTrails',
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:*',
      Resource: '*',
      Condition: { StringNotEquals: { 'kms:EncryptionContext:aws:cloudtrail:arn': TRAIL } }
    });
    const c = (ec) => ({ ...trailCase({ 'kms:EncryptionContext:aws:cloudtrail:arn': ec }), resourcePolicy: policy });
    assert.equal((await decide(c(TRAIL))).decision, 'Allowed');
    assert.equal((await decide(c(OTHER_TRAIL))).decision, 'ExplicitlyDenied');
  });

  test('ArnEquals, as the CloudWatch Logs key statement uses it', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'logs.us-east-1.amazonaws.com' },
          Action: ['kms:GenerateDataKey*', 'kms:Decrypt*'],
          Resource: '*',
          Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': [LOG_GROUP] } }
        }
      ]
    };
    const c = (ec) => ({
      name: 'logs',
      principal: 'logs.us-east-1.amazonaws.com',
      action: 'kms:Decrypt',
      resource: KEY,
      identityPolicies: [],
      resourcePolicy: policy,
      context: { 'kms:EncryptionContext:aws:logs:arn': ec }
    });
    assert.equal((await decide(c(LOG_GROUP))).decision, 'Allowed');
    assert.equal((await decide(c(`${LOG_GROUP}-other`))).decision, 'ImplicitlyDenied');
    assert.equal((await decide(c(LOG_GROUP.replace(ACCOUNT, '999999999999')))).decision, 'ImplicitlyDenied');
  });

  test('the key name is matched without regard to case, the value with it', async () => {
    assert.equal((await decide(trailCase({ 'KMS:EncryptionContext:AWS:CloudTrail:ARN': TRAIL }))).decision, 'Allowed');
    assert.equal((await decide(trailCase({ 'kms:EncryptionContext:aws:cloudtrail:arn': TRAIL.toUpperCase() }))).decision, 'ImplicitlyDenied');
  });

  test('errors instead of decisions', async () => {
    // DescribeKey takes no encryption context (iam-data): giving one is a mistake in the case.
    const r = await simulateCase({ ...trailCase({ 'kms:EncryptionContext:aws:cloudtrail:arn': TRAIL }), action: 'kms:DescribeKey' });
    assert.equal(r.decision, 'Error');
    assert.match(r.errors.join('\n'), /takes no kms:EncryptionContext/);
    // The stand-in prefix is reserved.
    const clash = await simulateCase(trailCase({ 'aws:PrincipalTag/iamsim-kms-ec:aws:cloudtrail:arn': TRAIL }));
    assert.equal(clash.decision, 'Error');
    assert.match(clash.errors.join('\n'), /collides/);
  });

  test('policies are copied, not changed; documents without the key are passed through as they are', () => {
    const before = structuredClone(trailKeyPolicy);
    const errors = [];
    const r = adaptPolicyEncryptionContext(trailKeyPolicy, 'p', errors);
    assert.deepEqual(errors, []);
    assert.equal(r.renamed, 1);
    assert.deepEqual(trailKeyPolicy, before);
    assert.deepEqual(Object.keys(r.doc.Statement[0].Condition.StringLike), [encryptionContextStandIn('kms:EncryptionContext:aws:cloudtrail:arn')]);
    const plain = { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } };
    assert.equal(adaptPolicyEncryptionContext(plain, 'plain', errors).doc, plain);
    assert.equal(encryptionContextStandIn('kms:EncryptionContextKeys'), undefined);
  });
});
