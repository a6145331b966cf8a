"""Makes an account setting with one AWS SDK call per CloudFormation event.

The custom resource names the call of each event in its properties, e.g.

    Create: {Client: iam, Method: update_account_password_policy,
             Parameters: '{"MinimumPasswordLength": 14}'}
    Delete: {Client: iam, Method: delete_account_password_policy,
             Parameters: '{}', IgnoreErrors: ^NoSuchEntityException$}

Parameters is JSON, because CloudFormation passes every value as a string.
An event without a call (Update or Delete) does nothing. An error whose
name or code (and message, with IgnoreMessage) matches IgnoreErrors counts
as success. A call with Wait then polls Wait's call until every value its
Query picks equals Until (Pending values: poll again; others fail). An
Update call with Prune calls Prune with the items of the list parameter List
that the old Update call had and the new one has not. The function always
answers CloudFormation, with its own PhysicalResourceId, and with Output
(a JMESPath query of the answer) its value as the attribute Value.
"""
import json
import re
import time

import boto3
import cfnresponse
import jmespath


def handler(event, context):
    props = event["ResourceProperties"]
    status, reason, data = cfnresponse.SUCCESS, None, {}
    try:
        call = props.get(event["RequestType"])
        if call:
            data = make(call, context)
            old = (event.get("OldResourceProperties") or {}).get("Update")
            if call.get("Prune") and old:
                prune(call, old, context)
    except Exception as e:
        status, reason = cfnresponse.FAILED, f"{type(e).__name__}: {e}"[:1000]
    print(event["RequestType"], status, reason or "")
    cfnresponse.send(event, context, status, data, props.get("PhysicalResourceId"), reason=reason)


def params(call):
    return json.loads(call.get("Parameters") or "{}")


def prune(call, old, context):
    p = call["Prune"]
    key = p["List"]
    keep = params(call).get(key) or []
    gone = [x for x in params(old).get(key) or [] if x not in keep]
    if gone:
        make(dict(p, Parameters=json.dumps(dict(params(p), **{key: gone}))), context)


def make(call, context):
    client = boto3.client(call["Client"])
    args = params(call)
    print("call", call["Client"], call["Method"], json.dumps(args))
    out = None
    try:
        out = getattr(client, call["Method"])(**args)
    except client.exceptions.ClientError as e:
        error = e.response.get("Error", {})
        names = [type(e).__name__, error.get("Code", "")]
        ignore, message = call.get("IgnoreErrors"), call.get("IgnoreMessage")
        if not ignore or not any(re.search(ignore, n) for n in names):
            raise
        if message and not re.search(message, error.get("Message", "")):
            raise
        print("ignored", names)
    if call.get("Wait"):
        wait(client, call["Wait"], context)
    if not call.get("Output"):
        return {}
    value = jmespath.search(call["Output"], out or {})
    if not isinstance(value, str) or not value:
        raise RuntimeError(f"{call['Output']} is {value!r}, not a string")
    return {"Value": value}


def wait(client, w, context):
    # Poll while more than 10 s remain: enough to answer CloudFormation.
    # (CloudFormation passes numbers as strings.)
    pause = int(w["Seconds"])
    while True:
        got = jmespath.search(w["Query"], getattr(client, w["Method"])(**params(w)))
        got = got if isinstance(got, list) else [got]
        print("wait", w["Method"], got)
        if got and all(v == w["Until"] for v in got):
            return
        if not got or any(v not in w.get("Pending", []) for v in got if v != w["Until"]):
            raise RuntimeError(f"{w['Query']} is {got}, not {w['Until']}")
        if context.get_remaining_time_in_millis() < 10000 + 1000 * pause:
            raise TimeoutError(f"{w['Query']} is still {got}, not {w['Until']}; deploy again to retry")
        time.sleep(pause)
