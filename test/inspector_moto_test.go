package test

import (
	"path/filepath"
	"testing"
)

// TestInspectorHandlerAgainstMoto runs sdkcall's handler, with the Inspector
// custom resources of the example's golden template, against moto's
// Inspector and IAM (test/moto/inspector_handler.py): the service-linked
// role, enable with its wait, an update that prunes two types, a revert,
// and a scan that never turns on. What moto cannot check: ENABLING (moto
// enables at once, so the polling loop runs once; handler_test.py covers
// the loop), IAM permissions (moto does not enforce them; the policy test
// and the botocore check do), the real duplicate-role error (moto says
// EntityAlreadyExists where IAM says InvalidInput, the model's error, which
// IgnoreErrors names), and Lambda code scanning's regional availability.
func TestInspectorHandlerAgainstMoto(t *testing.T) {
	runMotoSteps(t, "inspector_handler.py", "moto.inspector2", 6, filepath.Join(goldenDir, "Prod-us-east-1.template.json"))
}
