"""Runs sdkcall's handler.py against moto's Inspector and IAM.

Usage: python3 inspector_handler.py TEMPLATE.json

Takes the Inspector custom resources of a synthesized template as they are
(Create, Update with its Prune, the Wait), sends them to the handler with
the real boto3 in front of moto (mock_aws), and prints one JSON line per
step with the handler's answer and the account's Inspector status after
it. Exit 0 when every step came out as expected, 1 otherwise.

The steps: create the service-linked role; create again (the role exists:
IgnoreErrors); enable all types and wait; an update that drops LAMBDA_CODE
and ECR (Prune disables exactly those); a delete with the revert that
RevertOnDelete adds (Disable of the remaining types).
"""
import json
import sys

from harness import Context, answers, handler  # sets fake credentials first
from moto import mock_aws  # noqa: E402
import boto3  # noqa: E402


def text(v, account):
    """A template value (JSON text, or an Fn::Join with the account id) as text."""
    if isinstance(v, str):
        return v
    parts = v["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else {"AWS::AccountId": account, "AWS::Partition": "aws"}[p["Ref"]] for p in parts)


def resolve(call, account):
    call = json.loads(json.dumps(call))
    for c in [call, call.get("Wait"), call.get("Prune")]:
        if c and "Parameters" in c:
            c["Parameters"] = text(c["Parameters"], account)
    return call


def main():
    tpl = json.load(open(sys.argv[1]))
    res = tpl["Resources"]
    scans = next(r["Properties"] for r in res.values() if r["Type"] == "Custom::InspectorScans")
    slr = next(r["Properties"] for r in res.values() if r["Type"] == "Custom::InspectorServiceLinkedRole")
    ok = True
    with mock_aws():
        # The template's calls name the stack's account; moto keeps
        # Inspector's state per account id given.
        account = json.loads(resolve(scans["Create"], "000000000000")["Parameters"])["accountIds"][0]
        inspector = boto3.client("inspector2")

        def state():
            got = inspector.batch_get_account_status(accountIds=[account])["accounts"]
            return {k: v["status"] for k, v in got[0]["resourceState"].items()} if got else {}

        def step(name, request, props, old=None, want="SUCCESS", expect=None):
            nonlocal ok
            event = {"RequestType": request, "ResourceProperties": props}
            if old is not None:
                event["OldResourceProperties"] = old
            handler.handler(event, Context())
            status, reason, _ = answers[-1]
            now = state()
            good = status == want and (expect is None or all(now.get(k) == v for k, v in expect.items()))
            ok = ok and good
            print(json.dumps({"step": name, "answer": status, "reason": reason, "inspector": now, "ok": good}))

        create = resolve(scans["Create"], account)
        update = resolve(scans["Update"], account)
        step("service-linked role", "Create", {"PhysicalResourceId": "ServiceLinkedRole", "Create": resolve(slr["Create"], account)})
        # Real IAM answers a second CreateServiceLinkedRole with
        # InvalidInput ("has been taken in this account"), the error the
        # API model lists and IgnoreErrors names; moto answers
        # EntityAlreadyExists, which the model does not list for this
        # operation. So under moto this step fails, and says so.
        step("service-linked role again (moto: EntityAlreadyExists, not the model's InvalidInput)", "Create",
             {"PhysicalResourceId": "ServiceLinkedRole", "Create": resolve(slr["Create"], account)}, want="FAILED")
        step("enable and wait", "Create", {"PhysicalResourceId": "Inspector", "Create": create},
             expect={"ec2": "ENABLED", "ecr": "ENABLED", "lambda": "ENABLED", "lambdaCode": "ENABLED"})
        fewer = dict(update)
        params = json.loads(fewer["Parameters"])
        params["resourceTypes"] = [t for t in params["resourceTypes"] if t not in ("ECR", "LAMBDA_CODE")]
        fewer["Parameters"] = json.dumps(params)
        fewer["Wait"] = dict(fewer["Wait"], Query="accounts[0].resourceState.[ec2.status, lambda.status]")
        step("update drops ecr and lambdaCode", "Update", {"PhysicalResourceId": "Inspector", "Update": fewer},
             old={"PhysicalResourceId": "Inspector", "Update": update},
             expect={"ec2": "ENABLED", "ecr": "DISABLED", "lambda": "ENABLED", "lambdaCode": "DISABLED"})
        revert = {"Client": "inspector2", "Method": "disable", "Parameters": json.dumps(
            dict(json.loads(update["Prune"]["Parameters"]), resourceTypes=params["resourceTypes"]))}
        step("delete with revertOnDelete", "Delete", {"PhysicalResourceId": "Inspector", "Delete": revert},
             expect={"ec2": "DISABLED", "lambda": "DISABLED"})
        broken = dict(create, Parameters=json.dumps(dict(json.loads(create["Parameters"]), resourceTypes=["EC2", "NOT_A_TYPE"])))
        # botocore does not check enum values and moto enables what it
        # knows: the wait sees the unknown type's scans are not on.
        step("negative: a scan that never turns on fails the deploy at the wait", "Create", {"PhysicalResourceId": "Inspector", "Create": broken}, want="FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
