"""Runs sdkcall's handler.py with the organization trail's trusted-access
call against moto's AWS Organizations.

Usage: python3 trusted_access_handler.py TEMPLATE.json

Takes the Custom::CloudTrailTrustedAccess resource of a synthesized
template as it is, sends its Create to the handler with the real boto3 in
front of moto (mock_aws), and prints one JSON line per step with the
handler's answer and the organization's trusted services after it. Exit 0
when every step came out as expected, 1 otherwise.

The steps: in an organization with all features the call succeeds and
cloudtrail.amazonaws.com is a trusted service; a second Create succeeds
too (EnableAWSServiceAccess is idempotent). What moto cannot check: moto
5.2.1 enables trusted access even in an account with no organization,
where AWS answers AWSOrganizationsNotInUseException, and it enforces no
IAM permission (the botocore and SAR checks do).
"""
import json
import sys

from harness import Context, answers, handler  # sets fake credentials first
from moto import mock_aws  # noqa: E402
import boto3  # noqa: E402


def main():
    tpl = json.load(open(sys.argv[1]))
    props = next(r["Properties"] for r in tpl["Resources"].values() if r["Type"] == "Custom::CloudTrailTrustedAccess")
    ok = True
    with mock_aws():
        org = boto3.client("organizations")

        def trusted():
            try:
                return sorted(s["ServicePrincipal"] for s in org.list_aws_service_access_for_organization()["EnabledServicePrincipals"])
            except org.exceptions.AWSOrganizationsNotInUseException:
                return None

        def step(name, want, expect):
            nonlocal ok
            handler.handler({"RequestType": "Create", "ResourceProperties": props}, Context())
            status, reason, _ = answers[-1]
            now = trusted()
            good = status == want and now == expect
            ok = ok and good
            print(json.dumps({"step": name, "answer": status, "reason": reason or "", "trusted": now, "ok": good}))

        org.create_organization(FeatureSet="ALL")
        step("enable trusted access for CloudTrail", "SUCCESS", ["cloudtrail.amazonaws.com"])
        step("enable again", "SUCCESS", ["cloudtrail.amazonaws.com"])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
