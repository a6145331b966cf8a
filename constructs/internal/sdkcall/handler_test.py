"""Offline tests of handler.py, with boto3 and cfnresponse stubbed.

Run: python3 -m unittest handler_test (sdkcall_test.go does, when python3 is
on PATH).
"""
import json
import sys
import types
import unittest


class ClientError(Exception):
    """botocore's ClientError: the modelled errors subclass it."""

    def __init__(self, code, message="failed"):
        super().__init__(f"An error occurred ({code}): {message}")
        self.response = {"Error": {"Code": code, "Message": message}}


class InvalidInputException(ClientError):
    pass


class Client:
    """A boto3 client that records its calls and raises what it is told to."""

    exceptions = types.SimpleNamespace(ClientError=ClientError)

    def __init__(self, name):
        self.name = name

    def __getattr__(self, method):
        def call(**params):
            calls.append((self.name, method, params))
            if raises:
                raise raises[0]
            if answers.get(method):
                return answers[method].pop(0)

        return call


calls, responses, raises, answers, data = [], [], [], {}, []
boto3 = types.ModuleType("boto3")
boto3.client = Client
cfnresponse = types.ModuleType("cfnresponse")
cfnresponse.SUCCESS, cfnresponse.FAILED = "SUCCESS", "FAILED"
cfnresponse.send = lambda event, context, status, values, physical_id, reason=None: (
    responses.append((status, physical_id, reason)),
    data.append(values),
)
sys.modules.update(boto3=boto3, cfnresponse=cfnresponse)

import handler  # noqa: E402  (after the stubs)

handler.time.sleep = lambda seconds: sleeps.append(seconds)
sleeps = []


class Context:
    """Lambda's context: time left shrinks by 5 s a call."""

    def __init__(self, millis):
        self.millis = millis

    def get_remaining_time_in_millis(self):
        self.millis -= 5000
        return self.millis

PASSWORD_POLICY = {
    "Client": "iam",
    "Method": "update_account_password_policy",
    "Parameters": '{"MinimumPasswordLength":14,"RequireSymbols":true}',
}
DELETE_POLICY = {
    "Client": "iam",
    "Method": "delete_account_password_policy",
    "Parameters": "{}",
    "IgnoreErrors": "^NoSuchEntityException$",
}
SERVICE_LINKED_ROLE = {
    "Client": "iam",
    "Method": "create_service_linked_role",
    "Parameters": '{"AWSServiceName":"config.amazonaws.com"}',
    "IgnoreErrors": "^InvalidInputException$",
    "IgnoreMessage": "^Service role name AWSServiceRoleForConfig has been taken in this account",
}
# IAM's message when the role exists (test/services_test.go checks that
# the template sends IgnoreMessage above).
TAKEN = "Service role name AWSServiceRoleForConfig has been taken in this account, please try a different suffix."


def run(request, raising=None, old=None, millis=90000, **props):
    calls.clear(), responses.clear(), raises.clear(), sleeps.clear(), data.clear()
    if raising:
        raises.append(raising)
    props.setdefault("PhysicalResourceId", "PasswordPolicy")
    event = {"RequestType": request, "ResourceProperties": props}
    if old is not None:
        event["OldResourceProperties"] = old
    handler.handler(event, Context(millis))
    return responses[-1]


def status(*states):
    """An Inspector BatchGetAccountStatus answer (botocore's shape)."""
    keys = ["ec2", "ecr", "lambda", "lambdaCode"]
    return {"accounts": [{"resourceState": {k: {"status": s} for k, s in zip(keys, states)}}]}


def enable(*types):
    return {
        "Client": "inspector2",
        "Method": "enable",
        "Parameters": json.dumps({"resourceTypes": list(types)}),
        "Wait": {
            "Method": "batch_get_account_status",
            "Parameters": "{}",
            "Query": "accounts[0].resourceState.[ec2.status, ecr.status]",
            "Until": "ENABLED",
            "Pending": ["ENABLING"],
            "Seconds": "5",
        },
        "Prune": {"Client": "inspector2", "Method": "disable", "Parameters": "{}", "List": "resourceTypes"},
    }


class Handler(unittest.TestCase):
    def test_create_makes_the_call_with_json_typed_parameters(self):
        self.assertEqual(run("Create", Create=PASSWORD_POLICY), ("SUCCESS", "PasswordPolicy", None))
        self.assertEqual(
            calls, [("iam", "update_account_password_policy", {"MinimumPasswordLength": 14, "RequireSymbols": True})]
        )

    def test_update_makes_its_call_again(self):
        self.assertEqual(run("Update", Create=PASSWORD_POLICY, Update=PASSWORD_POLICY)[0], "SUCCESS")
        self.assertEqual(len(calls), 1)

    def test_update_without_a_call_does_nothing(self):
        self.assertEqual(run("Update", Create=SERVICE_LINKED_ROLE), ("SUCCESS", "PasswordPolicy", None))
        self.assertEqual(calls, [])

    def test_delete_without_a_call_leaves_the_setting(self):
        self.assertEqual(run("Delete", Create=PASSWORD_POLICY, Update=PASSWORD_POLICY)[0], "SUCCESS")
        self.assertEqual(calls, [])

    def test_delete_reverts_with_its_call(self):
        self.assertEqual(run("Delete", Create=PASSWORD_POLICY, Delete=DELETE_POLICY)[0], "SUCCESS")
        self.assertEqual(calls, [("iam", "delete_account_password_policy", {})])

    def test_an_ignored_error_matches_by_exception_name(self):
        status, _, reason = run("Create", InvalidInputException("InvalidInput", TAKEN), Create=SERVICE_LINKED_ROLE)
        self.assertEqual((status, reason), ("SUCCESS", None))

    def test_an_ignored_error_with_another_message_fails(self):
        # IAM's InvalidInput also means a bad parameter: only the message of
        # an existing role may pass.
        for message in ["Invalid ServiceName config.amazonaws.co", "1 validation error detected", "has been taken in this account"]:
            status, _, reason = run("Create", InvalidInputException("InvalidInput", message), Create=SERVICE_LINKED_ROLE)
            self.assertEqual(status, "FAILED", message)
            self.assertIn(message, reason)

    def test_without_ignore_message_the_name_decides(self):
        call = dict(SERVICE_LINKED_ROLE)
        del call["IgnoreMessage"]
        self.assertEqual(run("Create", InvalidInputException("InvalidInput", "anything"), Create=call)[0], "SUCCESS")

    def test_an_ignored_error_matches_by_code(self):
        call = dict(DELETE_POLICY, IgnoreErrors="^NoSuchEntity$")
        self.assertEqual(run("Delete", ClientError("NoSuchEntity"), Delete=call)[0], "SUCCESS")

    def test_any_other_error_fails_with_its_reason(self):
        status, physical_id, reason = run("Create", ClientError("AccessDenied", "not authorized"), Create=SERVICE_LINKED_ROLE)
        self.assertEqual((status, physical_id), ("FAILED", "PasswordPolicy"))
        self.assertEqual(reason, "ClientError: An error occurred (AccessDenied): not authorized")

    def test_an_error_without_ignore_errors_fails(self):
        self.assertEqual(run("Delete", ClientError("NoSuchEntity"), Delete=dict(DELETE_POLICY, IgnoreErrors=""))[0], "FAILED")

    def test_a_bad_call_still_answers(self):
        status, _, reason = run("Create", Create={"Client": "iam", "Method": "m", "Parameters": "{not json"})
        self.assertEqual(status, "FAILED")
        self.assertTrue(reason.startswith("JSONDecodeError: "), reason)
        self.assertEqual(run("Create", Create={"Method": "m"})[:2], ("FAILED", "PasswordPolicy"))

    def test_a_long_reason_is_cut_to_fit_the_response(self):
        self.assertEqual(len(run("Create", ClientError("Throttling", "x" * 5000), Create=PASSWORD_POLICY)[2]), 1000)

    def test_wait_polls_until_every_value_is_until(self):
        answers["batch_get_account_status"] = [status("ENABLING", "ENABLED"), status("ENABLED", "ENABLED")]
        self.assertEqual(run("Create", Create=enable("EC2", "ECR")), ("SUCCESS", "PasswordPolicy", None))
        self.assertEqual([c[1] for c in calls], ["enable", "batch_get_account_status", "batch_get_account_status"])
        self.assertEqual(sleeps, [5])

    def test_wait_fails_at_once_on_a_value_that_is_not_pending(self):
        answers["batch_get_account_status"] = [status("DISABLED", "ENABLED")]
        status_, _, reason = run("Create", Create=enable("EC2", "ECR"))
        self.assertEqual(status_, "FAILED")
        self.assertIn("['DISABLED', 'ENABLED'], not ENABLED", reason)

    def test_wait_fails_with_time_left_to_answer(self):
        answers["batch_get_account_status"] = [status("ENABLING", "ENABLING")] * 10
        status_, _, reason = run("Create", millis=30000, Create=enable("EC2", "ECR"))
        self.assertEqual(status_, "FAILED")
        self.assertTrue(reason.startswith("TimeoutError: "), reason)
        # 25, 20 and 15 s left: each leaves 10 s after a 5 s pause; 10 s does not.
        self.assertEqual(sleeps, [5, 5, 5])

    def test_wait_fails_when_the_query_finds_nothing(self):
        answers["batch_get_account_status"] = [{"accounts": []}]
        self.assertEqual(run("Create", Create=enable("EC2", "ECR"))[0], "FAILED")

    def test_update_prunes_the_items_the_old_call_had(self):
        answers["batch_get_account_status"] = [status("ENABLED", "ENABLED")]
        old = {"Update": enable("EC2", "ECR", "LAMBDA", "LAMBDA_CODE")}
        self.assertEqual(run("Update", old=old, Update=enable("EC2", "ECR"))[0], "SUCCESS")
        self.assertEqual(calls[-1], ("inspector2", "disable", {"resourceTypes": ["LAMBDA", "LAMBDA_CODE"]}))

    def test_update_with_nothing_removed_prunes_nothing(self):
        answers["batch_get_account_status"] = [status("ENABLED", "ENABLED")]
        self.assertEqual(run("Update", old={"Update": enable("EC2")}, Update=enable("EC2", "ECR"))[0], "SUCCESS")
        self.assertEqual([c[1] for c in calls], ["enable", "batch_get_account_status"])

    def test_negative_a_prune_that_disabled_everything_would_be_caught(self):
        # Disable without resourceTypes turns all of Inspector off; the
        # prune always names the removed types.
        answers["batch_get_account_status"] = [status("ENABLED", "ENABLED")]
        run("Update", old={"Update": enable("EC2", "ECR", "LAMBDA")}, Update=enable("EC2", "ECR"))
        self.assertNotIn(("inspector2", "disable", {}), calls)


if __name__ == "__main__":
    unittest.main()

    def test_output_answers_the_picked_value_as_value(self):
        answers["list_detectors"] = [{"DetectorIds": ["12abc"]}]
        call = {"Client": "guardduty", "Method": "list_detectors", "Parameters": "{}", "Output": "DetectorIds[0]"}
        self.assertEqual(run("Create", Create=call)[0], "SUCCESS")
        self.assertEqual(data[-1], {"Value": "12abc"})

    def test_output_that_picks_nothing_fails(self):
        answers["list_detectors"] = [{"DetectorIds": []}]
        call = {"Client": "guardduty", "Method": "list_detectors", "Parameters": "{}", "Output": "DetectorIds[0]"}
        status, _, reason = run("Create", Create=call)
        self.assertEqual(status, "FAILED")
        self.assertIn("DetectorIds[0] is None, not a string", reason)
        self.assertEqual(data[-1], {})

    def test_a_call_without_output_answers_no_value(self):
        self.assertEqual(run("Create", Create=PASSWORD_POLICY)[0], "SUCCESS")
        self.assertEqual(data[-1], {})
