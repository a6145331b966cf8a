"""Offline tests of handler.py, with boto3 and cfnresponse stubbed.

Run: python3 -m unittest handler_test (sdkcall_test.go does, when python3 is
on PATH).
"""
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

        return call


calls, responses, raises = [], [], []
boto3 = types.ModuleType("boto3")
boto3.client = Client
cfnresponse = types.ModuleType("cfnresponse")
cfnresponse.SUCCESS, cfnresponse.FAILED = "SUCCESS", "FAILED"
cfnresponse.send = lambda event, context, status, data, physical_id, reason=None: responses.append(
    (status, physical_id, reason)
)
sys.modules.update(boto3=boto3, cfnresponse=cfnresponse)

import handler  # noqa: E402  (after the stubs)

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


def run(request, raising=None, **props):
    calls.clear(), responses.clear(), raises.clear()
    if raising:
        raises.append(raising)
    props.setdefault("PhysicalResourceId", "PasswordPolicy")
    handler.handler({"RequestType": request, "ResourceProperties": props}, None)
    return responses[-1]


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


if __name__ == "__main__":
    unittest.main()
