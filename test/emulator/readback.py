"""Reads a local AWS emulator (moto) back for TestDeploy (test/deploy_test.go).

It only collects: it prints what the AWS APIs return as JSON on stdout, and
the Go test decides what is right. Two commands, each reading JSON on stdin:

  creds  {"accounts": ["111111111111", ...]}
         -> {"111111111111": {"AccessKeyId": ..., "SecretAccessKey": ...,
             "SessionToken": ...}, ...}
         Credentials for each account: moto serves the account whose role
         was assumed, so STS AssumeRole is how a caller reaches an account.
  dump   {"accounts": {"111111111111": {"creds": {...},
             "stacks": [{"name": "Prod-ap-northeast-1", "region": "..."}]}}}
         -> per account: IAM and S3 (global), and per region CloudFormation,
            KMS, CloudWatch Logs, SNS, EventBridge and the listings of the
            services whose resource types moto's CloudFormation does not
            create.

The endpoint and the base credentials come from the environment
(AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...), as for the CDK CLI.
"""

import ast
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"})


def session(creds=None):
    if creds is None:
        return boto3.session.Session()
    return boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def client(sess, service, region):
    return sess.client(service, region_name=region, config=CONFIG)


def attempt(call, missing=()):
    """The call's result, None when the API says the thing is not there
    (an error code in missing), or {"error": ...} when the API failed."""
    try:
        return call()
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") in missing:
            return None
        return {"error": str(e)}
    except (BotoCoreError, NotImplementedError) as e:
        return {"error": str(e)}


def creds(req):
    sts = client(session(), "sts", None)
    out = {}
    for account in req["accounts"]:
        resp = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/baseline-deploy-test",
            RoleSessionName="baseline-deploy-test",
        )
        c = resp["Credentials"]
        out[account] = {k: c[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken")}
    return out


def policy_json(doc):
    # boto3 decodes IAM documents already; KMS and S3 return strings.
    if not isinstance(doc, str):
        return doc
    try:
        return json.loads(doc)
    except ValueError:
        # moto keeps a policy that CloudFormation passed as an object (a
        # key policy, a role's inline policy) and returns it as a Python
        # literal.
        return ast.literal_eval(doc)


def iam_state(sess):
    iam = client(sess, "iam", "us-east-1")
    roles = []
    for page in iam.get_paginator("list_roles").paginate():
        for r in page["Roles"]:
            name = r["RoleName"]
            roles.append({
                "RoleName": name,
                "Arn": r["Arn"],
                "AssumeRolePolicyDocument": policy_json(r.get("AssumeRolePolicyDocument")),
                "MaxSessionDuration": r.get("MaxSessionDuration"),
                "InlinePolicies": {
                    p: policy_json(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"])
                    for p in iam.list_role_policies(RoleName=name)["PolicyNames"]
                },
                "AttachedPolicyArns": [
                    p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
                ],
            })
    groups = []
    for page in iam.get_paginator("list_groups").paginate():
        for g in page["Groups"]:
            name = g["GroupName"]
            groups.append({
                "GroupName": name,
                "Arn": g["Arn"],
                "InlinePolicies": {
                    p: policy_json(iam.get_group_policy(GroupName=name, PolicyName=p)["PolicyDocument"])
                    for p in iam.list_group_policies(GroupName=name)["PolicyNames"]
                },
                "AttachedPolicyArns": [
                    p["PolicyArn"] for p in iam.list_attached_group_policies(GroupName=name)["AttachedPolicies"]
                ],
            })
    policies = []
    for page in iam.get_paginator("list_policies").paginate(Scope="Local"):
        for p in page["Policies"]:
            version = iam.get_policy_version(PolicyArn=p["Arn"], VersionId=p["DefaultVersionId"])
            policies.append({
                "PolicyName": p["PolicyName"],
                "Arn": p["Arn"],
                "Document": policy_json(version["PolicyVersion"]["Document"]),
            })
    return {"roles": roles, "groups": groups, "policies": policies}


def s3_state(sess):
    s3 = client(sess, "s3", "us-east-1")
    buckets = []
    for b in s3.list_buckets()["Buckets"]:
        name = b["Name"]
        policy = attempt(lambda: s3.get_bucket_policy(Bucket=name)["Policy"], ["NoSuchBucketPolicy"])
        buckets.append({
            "Name": name,
            "Encryption": attempt(
                lambda: s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"],
                ["ServerSideEncryptionConfigurationNotFoundError"]),
            "Versioning": s3.get_bucket_versioning(Bucket=name).get("Status"),
            "PublicAccessBlock": attempt(
                lambda: s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"],
                ["NoSuchPublicAccessBlockConfiguration"]),
            "Policy": policy_json(policy) if isinstance(policy, str) else policy,
        })
    return {"buckets": buckets}


def count(call):
    """The number of items a listing returns, or why there is none."""
    try:
        return len(call())
    except ClientError as e:
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = e.response.get("Error", {}).get("Code", "")
        return f"no answer (HTTP {status})" if code in ("", str(status)) else f"no answer ({code})"
    except (BotoCoreError, NotImplementedError) as e:
        return f"no answer ({type(e).__name__})"


def region_state(sess, region, stacks):
    cfn = client(sess, "cloudformation", region)
    kms = client(sess, "kms", region)
    logs = client(sess, "logs", region)
    sns = client(sess, "sns", region)
    out = {"stacks": {}, "keys": [], "aliases": [], "logGroups": [], "topics": [], "subscriptions": []}
    for name in stacks:
        out["stacks"][name] = cfn.describe_stack_resources(StackName=name)["StackResources"]
    for k in kms.list_keys()["Keys"]:
        kid = k["KeyId"]
        # DescribeKey fails in moto for a key CloudFormation created (it
        # keeps the policy as an object): KeyState is then unknown (None).
        meta = attempt(lambda: kms.describe_key(KeyId=kid)["KeyMetadata"])
        out["keys"].append({
            "KeyId": kid,
            "Arn": k["KeyArn"],
            "KeyState": meta.get("KeyState"),
            "RotationEnabled": kms.get_key_rotation_status(KeyId=kid)["KeyRotationEnabled"],
            "Policy": policy_json(kms.get_key_policy(KeyId=kid, PolicyName="default")["Policy"]),
        })
    out["aliases"] = [{"AliasName": a["AliasName"], "TargetKeyId": a.get("TargetKeyId")}
                      for a in kms.list_aliases()["Aliases"]]
    for page in logs.get_paginator("describe_log_groups").paginate():
        out["logGroups"] += [{k: g.get(k) for k in ("logGroupName", "retentionInDays", "kmsKeyId")}
                             for g in page["logGroups"]]
    for page in sns.get_paginator("list_topics").paginate():
        for t in page["Topics"]:
            out["topics"].append(sns.get_topic_attributes(TopicArn=t["TopicArn"])["Attributes"])
    for page in sns.get_paginator("list_subscriptions").paginate():
        out["subscriptions"] += page["Subscriptions"]
    events = client(sess, "events", region)
    out["rules"] = []
    for page in events.get_paginator("list_rules").paginate():
        for r in page["Rules"]:
            out["rules"].append({
                "Name": r["Name"],
                "Arn": r["Arn"],
                "State": r.get("State"),
                "EventPattern": json.loads(r["EventPattern"]) if r.get("EventPattern") else None,
                "Targets": [{"Id": t["Id"], "Arn": t["Arn"]}
                            for t in events.list_targets_by_rule(Rule=r["Name"])["Targets"]],
            })
    # What the services of the types moto's CloudFormation skips list, so
    # that the test can show the template's count next to the API's.
    out["listings"] = {
        "AWS::CloudTrail::Trail": count(lambda: client(sess, "cloudtrail", region).describe_trails()["trailList"]),
        "AWS::CloudWatch::Alarm": count(lambda: client(sess, "cloudwatch", region).describe_alarms()["MetricAlarms"]),
        "AWS::Logs::MetricFilter": count(lambda: logs.describe_metric_filters()["metricFilters"]),
        "AWS::Config::ConfigurationRecorder": count(
            lambda: client(sess, "config", region).describe_configuration_recorders()["ConfigurationRecorders"]),
        "AWS::Config::DeliveryChannel": count(
            lambda: client(sess, "config", region).describe_delivery_channels()["DeliveryChannels"]),
        "AWS::GuardDuty::Detector": count(lambda: client(sess, "guardduty", region).list_detectors()["DetectorIds"]),
        "AWS::AccessAnalyzer::Analyzer": count(
            lambda: client(sess, "accessanalyzer", region).list_analyzers()["analyzers"]),
        "AWS::SNS::Subscription": len(out["subscriptions"]),
    }
    return out


def dump(req):
    out = {}
    for account, spec in req["accounts"].items():
        sess = session(spec["creds"])
        regions = {}
        for s in spec["stacks"]:
            regions.setdefault(s["region"], []).append(s["name"])
        out[account] = {
            "iam": iam_state(sess),
            "s3": s3_state(sess),
            "regions": {r: region_state(sess, r, names) for r, names in regions.items()},
        }
        out[account]["iam"]["listings"] = {"AWS::IAM::Group": len(out[account]["iam"]["groups"])}
    return out


if __name__ == "__main__":
    command = {"creds": creds, "dump": dump}[sys.argv[1]]
    json.dump(command(json.load(sys.stdin)), sys.stdout, default=str)
