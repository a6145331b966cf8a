"""Runs sdkcall's handler.py with organization mode's delegated-administrator
calls against moto's Organizations, GuardDuty and Inspector.

Usage: python3 orgadmin_handler.py MANAGEMENT.json REGIONAL.json AUDIT.json

MANAGEMENT.json is the management account's organization stack (the
organization-wide registrations and the home region's designations),
REGIONAL.json its stack of another region, AUDIT.json the audit account's
home stack. The calls are sent as the templates have them, except that the
audit account's id is replaced by the id moto gives the account it creates
in the organization, and a Fn::GetAtt of another setting's Value by that
setting's answer. One JSON line per step, with the handler's answer and
what the emulated services say after it; exit 0 when every step came out as
expected.

Steps: every designation, then every designation again (a redeploy: each
must pass, by IgnoreErrors where the API answers an error; the second
AccessAnalyzerDelegatedAdmin gets moto's AccountAlreadyRegisteredException,
the error the handler ignores); a registration
of an account outside the organization (must fail: only the "already
registered" error is ignored); the audit account's detector id (Output),
its detector's plans, and Inspector's organization configuration.
"""
import json
import sys

from harness import Context, answers, handler  # sets fake credentials first
from moto import mock_aws  # noqa: E402
import boto3  # noqa: E402

AUDIT = "777777777777"  # the audit account of the test config


def text(v, values):
    """A template value (JSON text, or an Fn::Join) as text; values resolve Refs and GetAtts."""
    if isinstance(v, str):
        return v
    out = []
    for p in v["Fn::Join"][1]:
        if isinstance(p, str):
            out.append(p)
        elif "Ref" in p:
            out.append({"AWS::Partition": "aws", "AWS::AccountId": "123456789012", "AWS::Region": "us-east-1"}[p["Ref"]])
        else:
            out.append(values[p["Fn::GetAtt"][0]])
    return "".join(out)


def customs(path):
    """The sdkcall custom resources of a template, by type, with their logical ids."""
    res = json.load(open(path))["Resources"]
    return {r["Type"]: (lid, r["Properties"]) for lid, r in res.items() if r["Type"].startswith("Custom::")}


def main():
    mgmt, regional, audit = (customs(p) for p in sys.argv[1:4])
    ok = True
    with mock_aws():
        orgs = boto3.client("organizations")
        orgs.create_organization(FeatureSet="ALL")
        created = orgs.create_account(AccountName="Audit", Email="audit@example.com")["CreateAccountStatus"]
        member = created["AccountId"]
        guardduty, inspector = boto3.client("guardduty"), boto3.client("inspector2")
        values = {}

        def state():
            delegated = {}
            for a in orgs.list_delegated_administrators()["DelegatedAdministrators"]:
                for s in orgs.list_delegated_services_for_account(AccountId=a["Id"])["DelegatedServices"]:
                    delegated.setdefault(s["ServicePrincipal"], []).append(a["Id"])
            return {
                "trusted": sorted(s["ServicePrincipal"] for s in orgs.list_aws_service_access_for_organization()["EnabledServicePrincipals"]),
                "delegated": delegated,
                "guardduty": [a["AdminAccountId"] for a in guardduty.list_organization_admin_accounts()["AdminAccounts"]],
                "inspector": [a["accountId"] for a in inspector.list_delegated_admin_accounts()["delegatedAdminAccounts"]],
            }

        def step(name, props, want="SUCCESS", check=None, account=member):
            nonlocal ok
            call = json.loads(json.dumps(props["Create"]).replace(AUDIT, account))
            call["Parameters"] = text(call["Parameters"], values)
            handler.handler({"RequestType": "Create", "ResourceProperties": {"PhysicalResourceId": name, "Create": call}}, Context())
            status, reason, data = answers[-1]
            now = state()
            good = status == want and (check is None or check(now, data))
            ok = ok and good
            print(json.dumps({"step": name, "answer": status, "reason": reason, "data": data, "state": now, "ok": good}))
            return data

        order = ["Custom::ConfigTrustedAccess", "Custom::ConfigDelegatedAdmin", "Custom::AccessAnalyzerTrustedAccess",
                 "Custom::AccessAnalyzerDelegatedAdmin", "Custom::GuardDutyDelegatedAdmin", "Custom::InspectorDelegatedAdmin"]
        checks = {
            "Custom::ConfigTrustedAccess": lambda s, d: "config.amazonaws.com" in s["trusted"],
            "Custom::AccessAnalyzerTrustedAccess": lambda s, d: "access-analyzer.amazonaws.com" in s["trusted"],
            "Custom::AccessAnalyzerDelegatedAdmin": lambda s, d: s["delegated"].get("access-analyzer.amazonaws.com") == [member],
            "Custom::GuardDutyDelegatedAdmin": lambda s, d: member in s["guardduty"],
            "Custom::InspectorDelegatedAdmin": lambda s, d: member in s["inspector"],
        }
        for again in ("", " again (a redeploy)"):
            for typ in order:
                if typ == "Custom::ConfigDelegatedAdmin":
                    # moto's list of services that take a delegated
                    # administrator lacks config.amazonaws.com, which AWS
                    # Config's page registers for the aggregator; moto
                    # answers InvalidInputException. So under moto this
                    # step fails, and says so.
                    step(typ + again + " (moto: config.amazonaws.com is not in its delegated-administrator list)", mgmt[typ][1],
                         want="FAILED", check=lambda s, d: "unrecognized service principal" in answers[-1][1])
                    continue
                step(typ + again, mgmt[typ][1], check=checks[typ])
        for typ in ["Custom::GuardDutyDelegatedAdmin", "Custom::InspectorDelegatedAdmin"]:
            step(typ + " (another region's stack)", regional[typ][1], check=checks[typ])
        # Only "already registered" is ignored: an account outside the
        # organization is an error the deploy must show.
        step("negative: registering an account outside the organization fails", mgmt["Custom::ConfigDelegatedAdmin"][1],
             want="FAILED", account="210987654321")

        # The audit account (moto's default account stands in for it):
        # the detector GuardDuty made when it became the administrator.
        detector = guardduty.create_detector(Enable=True)["DetectorId"]
        lid, props = audit["Custom::GuardDutyDetector"]
        values[lid] = step("the administrator's detector id (Output)", props, check=lambda s, d: d == {"Value": detector}).get("Value", "")
        lid, props = audit["Custom::GuardDutyAdministratorDetector"]
        step("the administrator's own detector plans", props,
             check=lambda s, d: guardduty.get_detector(DetectorId=detector)["FindingPublishingFrequency"] == "FIFTEEN_MINUTES")
        lid, props = audit["Custom::InspectorOrganizationConfiguration"]
        want = json.loads(text(props["Create"]["Parameters"], values))["autoEnable"]
        step("Inspector's organization configuration", props,
             check=lambda s, d: all(inspector.describe_organization_configuration()["autoEnable"].get(k) == v for k, v in want.items()))
        guardduty.delete_detector(DetectorId=detector)
        lid, props = audit["Custom::GuardDutyDetector"]
        step("negative: no detector, no id: the deploy fails rather than configure nothing", props, want="FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
