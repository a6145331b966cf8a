"""Runs constructs/internal/sdkcall's handler.py in-process against moto
for the moto tests (inspector_handler.py, trusted_access_handler.py,
orgadmin_handler.py): fake credentials, a stand-in for the cfnresponse
module that Lambda provides, which records every answer in `answers` as
(status, reason, data), and a Lambda context with time to spare.
"""
import os
import sys
import types

os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")

answers = []
cfnresponse = types.ModuleType("cfnresponse")
cfnresponse.SUCCESS, cfnresponse.FAILED = "SUCCESS", "FAILED"
cfnresponse.send = lambda event, context, status, data, physical_id, reason=None: answers.append((status, reason, data))
sys.modules["cfnresponse"] = cfnresponse
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "constructs", "internal", "sdkcall"))
import handler  # noqa: E402,F401


class Context:
    def get_remaining_time_in_millis(self):
        return 80000
