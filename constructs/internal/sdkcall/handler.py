"""Makes an account setting with one AWS SDK call per CloudFormation event.

The custom resource names the call of each event in its properties, e.g.

    Create: {Client: iam, Method: update_account_password_policy,
             Parameters: '{"MinimumPasswordLength": 14}'}
    Delete: {Client: iam, Method: delete_account_password_policy,
             Parameters: '{}', IgnoreErrors: ^NoSuchEntityException$}

Parameters is JSON, because CloudFormation passes every value as a string.
An event without a call (Update or Delete) does nothing. An error whose
name or code matches IgnoreErrors counts as success. The function always
answers CloudFormation, with the error on failure, and always with the
resource's own PhysicalResourceId, so that no update replaces the setting.
With IgnoreMessage as well, the error's message must match it too: an error
code can stand for several failures (IAM's InvalidInput does).
"""
import json
import re

import boto3
import cfnresponse


def handler(event, context):
    props = event["ResourceProperties"]
    status, reason = cfnresponse.SUCCESS, None
    try:
        call = props.get(event["RequestType"])
        if call:
            make(call)
    except Exception as e:
        status, reason = cfnresponse.FAILED, f"{type(e).__name__}: {e}"[:1000]
    print(event["RequestType"], status, reason or "")
    cfnresponse.send(event, context, status, {}, props.get("PhysicalResourceId"), reason=reason)


def make(call):
    client = boto3.client(call["Client"])
    params = json.loads(call.get("Parameters") or "{}")
    print("call", call["Client"], call["Method"], json.dumps(params))
    try:
        getattr(client, call["Method"])(**params)
    except client.exceptions.ClientError as e:
        error = e.response.get("Error", {})
        names = [type(e).__name__, error.get("Code", "")]
        ignore, message = call.get("IgnoreErrors"), call.get("IgnoreMessage")
        if not ignore or not any(re.search(ignore, n) for n in names):
            raise
        if message and not re.search(message, error.get("Message", "")):
            raise
        print("ignored", names)
