package filterpattern_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/policies/filterpattern"
)

// docEvent is the sample JSON log event of "Using filter patterns to match
// terms in JSON log events" (CloudWatch Logs User Guide). The current page has
// "cluster.name"; an earlier version of the same page had "ThisFlag": true for
// its IS TRUE example. Both are kept.
const docEvent = `{
  "eventType": "UpdateTrail",
  "sourceIPAddress": "111.111.111.111",
  "arrayKey": ["value", "another value"],
  "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
  "SomeObject": null,
  "cluster.name": "c",
  "ThisFlag": true
}`

// compoundEvent is the guide's sample event for compound expressions.
const compoundEvent = `{
  "user": {"id": 1, "email": "John.Stiles@example.com"},
  "users": [
    {"id": 2, "email": "John.Doe@example.com"},
    {"id": 3, "email": "Jane.Doe@example.com"}
  ],
  "actions": ["GET", "PUT", "DELETE"],
  "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]
}`

// numericEvent satisfies the guide's numeric examples.
const numericEvent = `{
  "latency": 1500, "numbers": [-5], "errorCode": 400,
  "processes": [{}, {}, {}, {}, {"averageRuntime": 55.5}],
  "bandwidth": 80, "refreshRate": 60, "responseTime": 5, "number": [1000]
}`

// Small CloudTrail records (fields trimmed to what the CIS patterns read).
const (
	rootConsoleLogin = `{"eventVersion":"1.08",
	  "userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"},
	  "eventTime":"2024-05-01T10:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin",
	  "awsRegion":"us-east-1","sourceIPAddress":"203.0.113.10","requestParameters":null,
	  "responseElements":{"ConsoleLogin":"Success"},
	  "additionalEventData":{"LoginTo":"https://console.aws.amazon.com/","MobileVersion":"No","MFAUsed":"Yes"},
	  "eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}`
	rootAPICall = `{"userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE"},
	  "eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","eventType":"AwsApiCall","recipientAccountId":"111122223333"}`
	rootInvokedByService = `{"userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root","invokedBy":"support.amazonaws.com"},
	  "eventSource":"iam.amazonaws.com","eventName":"GetAccountSummary","eventType":"AwsApiCall"}`
	rootServiceEvent = `{"userIdentity":{"type":"Root","accountId":"111122223333"},
	  "eventSource":"signin.amazonaws.com","eventName":"PasswordUpdated","eventType":"AwsServiceEvent"}`
	iamUserAPICall = `{"userIdentity":{"type":"IAMUser","userName":"alice","arn":"arn:aws:iam::111122223333:user/alice"},
	  "eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","eventType":"AwsApiCall"}`

	iamUserLoginNoMFA = `{"userIdentity":{"type":"IAMUser","userName":"alice","arn":"arn:aws:iam::111122223333:user/alice"},
	  "eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn",
	  "responseElements":{"ConsoleLogin":"Success"},
	  "additionalEventData":{"LoginTo":"https://console.aws.amazon.com/","MobileVersion":"No","MFAUsed":"No"}}`
	iamUserLoginMFA = `{"userIdentity":{"type":"IAMUser","userName":"alice"},
	  "eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","responseElements":{"ConsoleLogin":"Success"},
	  "additionalEventData":{"MFAUsed":"Yes"}}`
	iamUserLoginFailed = `{"userIdentity":{"type":"IAMUser","userName":"alice"},
	  "eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","errorMessage":"Failed authentication",
	  "responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"No"}}`
	iamUserLoginMFAUsedMissing = `{"userIdentity":{"type":"IAMUser","userName":"alice"},
	  "eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","responseElements":{"ConsoleLogin":"Success"},
	  "additionalEventData":{"LoginTo":"https://console.aws.amazon.com/"}}`
	ssoLogin = `{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin/alice"},
	  "eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","responseElements":{"ConsoleLogin":"Success"},
	  "additionalEventData":{"MFAUsed":"No"}}`

	kmsDisableKey          = `{"eventSource":"kms.amazonaws.com","eventName":"DisableKey","eventType":"AwsApiCall","requestParameters":{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}}`
	kmsScheduleKeyDeletion = `{"eventSource":"kms.amazonaws.com","eventName":"ScheduleKeyDeletion","eventType":"AwsApiCall","requestParameters":{"keyId":"1234abcd","pendingWindowInDays":7}}`
	kmsCreateKey           = `{"eventSource":"kms.amazonaws.com","eventName":"CreateKey","eventType":"AwsApiCall"}`
	kmsLookalikeSource     = `{"eventSource":"kms.amazonaws.com.example","eventName":"DisableKey","eventType":"AwsApiCall"}`
	otherDisableKey        = `{"eventSource":"example.amazonaws.com","eventName":"DisableKey","eventType":"AwsApiCall"}`

	ec2Unauthorized = `{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","errorCode":"Client.UnauthorizedOperation","errorMessage":"You are not authorized to perform this operation."}`
	s3AccessDenied  = `{"eventSource":"s3.amazonaws.com","eventName":"GetBucketPolicy","errorCode":"AccessDenied"}`
	kmsAccessDenied = `{"eventSource":"kms.amazonaws.com","eventName":"Decrypt","errorCode":"AccessDeniedException"}`
	throttled       = `{"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","errorCode":"Client.RequestLimitExceeded"}`
	noError         = `{"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances"}`
)

// CIS AWS Foundations / Security Hub CloudWatch.x metric filter patterns.
const (
	cisRootUsage       = `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`
	cisConsoleNoMFA    = `{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }`
	cisKMSKeyDisabled  = `{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }`
	cisUnauthorizedAPI = `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`
)

type matchCase struct {
	name    string
	pattern string
	event   string
	want    bool
}

// runMatch checks Match and MatchValue on both encoding/json decodings.
func runMatch(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := filterpattern.Parse(tc.pattern)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.pattern, err)
			}
			if p.String() != tc.pattern {
				t.Errorf("String() = %q, want %q", p.String(), tc.pattern)
			}
			got, err := p.Match([]byte(tc.event))
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if got != tc.want {
				t.Errorf("Match(%s) on %s = %v, want %v", tc.pattern, tc.event, got, tc.want)
			}
			var plain any
			if err := json.Unmarshal([]byte(tc.event), &plain); err != nil {
				t.Fatal(err)
			}
			if got := p.MatchValue(plain); got != tc.want {
				t.Errorf("MatchValue(float64 event) = %v, want %v", got, tc.want)
			}
			dec := json.NewDecoder(strings.NewReader(tc.event))
			dec.UseNumber()
			var withNumbers any
			if err := dec.Decode(&withNumbers); err != nil {
				t.Fatal(err)
			}
			if got := p.MatchValue(withNumbers); got != tc.want {
				t.Errorf("MatchValue(json.Number event) = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDocumentationExamples(t *testing.T) {
	runMatch(t, []matchCase{
		// "Using filter patterns to match terms in JSON log events".
		{"string value matches", `{ $.eventType = "UpdateTrail" }`, docEvent, true},
		{"IP address outside 123.123.* matches", `{ $.sourceIPAddress != 123.123.* }`, docEvent, true},
		{"first array element matches", `{ $.arrayKey[0] = "value" }`, docEvent, true},
		{"object in array matches", `{ $.objectList[1].id = 2 }`, docEvent, true},
		{"regex in string matches", `{ $.eventType = %Trail% }`, docEvent, true},
		{"regex on any array element matches", `{ $.arrayKey[*] = %val.{2}% }`, docEvent, true},
		{"regex on any field matches the IP address", `{ $.* = %111\.111\.111\.1[0-9]{1,2}% }`, docEvent, true},
		{"bracket notation for a key with a period matches", `{ $.['cluster.name'] = "c" }`, docEvent, true},
		{"IS NULL matches a null field", `{ $.SomeObject IS NULL }`, docEvent, true},
		{"NOT EXISTS matches an absent field", `{ $.SomeOtherObject NOT EXISTS }`, docEvent, true},
		{"IS TRUE matches a true field", `{ $.ThisFlag IS TRUE }`, docEvent, true},
		// The guide's stated non-matches.
		{"index on a non-array is false", `{ $.eventType[0] = "value" }`, docEvent, false},
		{"index on a non-array with != is false", `{ $.eventType[0] != "value" }`, docEvent, false},
		{"missing id property in array object is false", `{ $.objectList[1].number = 2 }`, docEvent, false},
		{"IS NULL is false for a non-null field", `{ $.eventType IS NULL }`, docEvent, false},
		{"IS NULL is false for an absent field", `{ $.SomeOtherObject IS NULL }`, docEvent, false},
		{"NOT EXISTS is false for a null field", `{ $.SomeObject NOT EXISTS }`, docEvent, false},
		{"NOT EXISTS is false for a present field", `{ $.eventType NOT EXISTS }`, docEvent, false},
		{"IS FALSE is false for a true field", `{ $.ThisFlag IS FALSE }`, docEvent, false},
		{"IP address inside 111.111.* does not match !=", `{ $.sourceIPAddress != 111.111.* }`, docEvent, false},
		{"regex not matching any element", `{ $.arrayKey[*] = %^zzz% }`, docEvent, false},

		// "OR pattern matching" in JSON filters (earlier guide).
		{"foo = bar matches bar", `{$.foo = bar}`, `{"foo": "bar"}`, true},
		{"foo = bar does not match baz", `{$.foo = bar}`, `{"foo": "baz"}`, false},
		{"foo = baz matches baz", `{$.foo = baz }`, `{"foo": "baz"}`, true},
		{"foo = baz does not match bar", `{$.foo = baz }`, `{"foo": "bar"}`, false},
		{"foo = bar || foo = baz matches bar", `{$.foo = bar || $.foo = baz }`, `{"foo": "bar"}`, true},
		{"foo = bar || foo = baz matches baz", `{$.foo = bar || $.foo = baz }`, `{"foo": "baz"}`, true},

		// "JSON compound conditions".
		{"AND of two matching conditions matches", `{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }`, compoundEvent, true},
		{"OR with unmatched AND group does not match", `{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`, compoundEvent, false},
		{"&& binds tighter than || so it matches", `{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }`, compoundEvent, true},
		{"earlier guide with unquoted nonmatch also matches", `{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }`, compoundEvent, true},
		{"parentheses override precedence so it does not match", `{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }`, compoundEvent, false},
		{"earlier guide parenthesised with nomatch does not match", `{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }`, compoundEvent, false},
		{"nested array index matches", `{ $.coordinates[1][2] = 6 }`, compoundEvent, true},

		// "JSON special considerations": a selector pointing to an array.
		{"= on an array does not match", `{$.users = 1}`, `{"users": [1, 2, 3]}`, false},
		{"!= on an array does not match", `{$.users != 1}`, `{"users": [1, 2, 3]}`, false},
		{"= on an object does not match", `{ $.user = 1 }`, compoundEvent, false},
		{"!= on an object does not match", `{ $.user != 1 }`, compoundEvent, false},

		// "Numeric comparisons" examples (current and earlier guide).
		{"latency >= 500", `{ $.latency >= 500 }`, numericEvent, true},
		{"numbers[0] < 10e3", `{ $.numbers[0] < 10e3 }`, numericEvent, true},
		{"numbers[0] < 10e-3", `{ $.numbers[0] < 10e-3 }`, numericEvent, true},
		{"processes[4].averageRuntime <= 55.5", `{ $.processes[4].averageRuntime <= 55.5 }`, numericEvent, true},
		{"errorCode = 400", `{ $.errorCode = 400 }`, numericEvent, true},
		{"errorCode = 400 with no space before brace", `{ $.errorCode = 400}`, numericEvent, true},
		{"errorCode != 500", `{ $.errorCode != 500 }`, numericEvent, true},
		{"latency > +1000", `{ $.latency > +1000 }`, numericEvent, true},
		{"bandwidth > 75", `{ $.bandwidth > 75 }`, numericEvent, true},
		{"latency < 50 is false", `{ $.latency < 50 }`, numericEvent, false},
		{"refreshRate >= 60", `{ $.refreshRate >= 60 }`, numericEvent, true},
		{"responseTime <= 5", `{ $.responseTime <= 5 }`, numericEvent, true},
		{"number[0] = 1e+3", `{ $.number[0] = 1e+3 }`, numericEvent, true},
		{"number[0] != 1e-3", `{ $.number[0] != 1e-3 }`, numericEvent, true},
		{"number[0] = 1e-3", `{ $.number[0] = 1e-3 }`, `{"number": [0.001]}`, true},
		{"number[0] != 1e+3 is false for 1000", `{ $.number[0] != 1e+3 }`, numericEvent, false},
		{"errorCode = 500 is false", `{ $.errorCode = 500 }`, numericEvent, false},
		{"errorCode != 400 is false", `{ $.errorCode != 400 }`, numericEvent, false},
		{"bandwidth > 80 is false at the boundary", `{ $.bandwidth > 80 }`, numericEvent, false},
		{"bandwidth < 80 is false at the boundary", `{ $.bandwidth < 80 }`, numericEvent, false},
		{"latency = * publishes any number", `{ $.latency = * }`, numericEvent, true},

		// String wildcards ("*Event", "Event*").
		{"*Event matches PutEvent", `{ $.a = *Event }`, `{"a": "PutEvent"}`, true},
		{"*Event matches GetEvent", `{ $.a = *Event }`, `{"a": "GetEvent"}`, true},
		{"*Event does not match EventId", `{ $.a = *Event }`, `{"a": "EventId"}`, false},
		{"Event* matches EventId", `{ $.a = Event* }`, `{"a": "EventId"}`, true},
		{"Event* matches EventName", `{ $.a = Event* }`, `{"a": "EventName"}`, true},
		{"Event* does not match PutEvent", `{ $.a = Event* }`, `{"a": "PutEvent"}`, false},
	})
}

func TestCISPatterns(t *testing.T) {
	runMatch(t, []matchCase{
		{"root usage fires on a root console login", cisRootUsage, rootConsoleLogin, true},
		{"root usage fires on a root API call", cisRootUsage, rootAPICall, true},
		{"root usage ignores a call invoked by a service for root", cisRootUsage, rootInvokedByService, false},
		{"root usage ignores AwsServiceEvent", cisRootUsage, rootServiceEvent, false},
		{"root usage ignores an IAM user", cisRootUsage, iamUserAPICall, false},
		{"root usage needs eventType to be present", cisRootUsage, `{"userIdentity":{"type":"Root"}}`, false},

		{"console login without MFA fires for an IAM user", cisConsoleNoMFA, iamUserLoginNoMFA, true},
		{"console login with MFA does not fire", cisConsoleNoMFA, iamUserLoginMFA, false},
		{"failed console login does not fire", cisConsoleNoMFA, iamUserLoginFailed, false},
		{"console login without MFAUsed does not fire because != needs the field", cisConsoleNoMFA, iamUserLoginMFAUsedMissing, false},
		{"SSO console login does not fire", cisConsoleNoMFA, ssoLogin, false},
		{"root console login does not fire the IAM user filter", cisConsoleNoMFA, rootConsoleLogin, false},

		{"KMS DisableKey fires", cisKMSKeyDisabled, kmsDisableKey, true},
		{"KMS ScheduleKeyDeletion fires", cisKMSKeyDisabled, kmsScheduleKeyDeletion, true},
		{"KMS CreateKey does not fire", cisKMSKeyDisabled, kmsCreateKey, false},
		{"look-alike event source does not fire", cisKMSKeyDisabled, kmsLookalikeSource, false},
		{"DisableKey from another service does not fire", cisKMSKeyDisabled, otherDisableKey, false},

		{"unauthorized API fires on Client.UnauthorizedOperation", cisUnauthorizedAPI, ec2Unauthorized, true},
		{"unauthorized API fires on AccessDenied", cisUnauthorizedAPI, s3AccessDenied, true},
		{"unauthorized API fires on AccessDeniedException", cisUnauthorizedAPI, kmsAccessDenied, true},
		{"unauthorized API ignores throttling", cisUnauthorizedAPI, throttled, false},
		{"unauthorized API ignores a record without errorCode", cisUnauthorizedAPI, noError, false},
	})
}

func TestSemanticDecisions(t *testing.T) {
	runMatch(t, []matchCase{
		// != only matches a present string or number (see package doc, decision 1).
		{"!= on a missing field does not match", `{ $.a != "x" }`, `{}`, false},
		{"!= on a missing parent does not match", `{ $.a.b != "x" }`, `{"c": 1}`, false},
		{"!= on null does not match", `{ $.a != "x" }`, `{"a": null}`, false},
		{"!= on a boolean does not match", `{ $.a != "x" }`, `{"a": true}`, false},
		{"!= on a different string matches", `{ $.a != "x" }`, `{"a": "y"}`, true},
		{"!= on a number matches", `{ $.a != "x" }`, `{"a": 3}`, true},
		{"!= * never matches", `{ $.a != * }`, `{"a": "y"}`, false},
		{"= * matches a string", `{ $.a = * }`, `{"a": "y"}`, true},
		{"= * matches an empty string", `{ $.a = * }`, `{"a": ""}`, true},
		{"= * does not match null", `{ $.a = * }`, `{"a": null}`, false},
		{"= * does not match a boolean", `{ $.a = * }`, `{"a": false}`, false},
		{"= * does not match an object", `{ $.a = * }`, `{"a": {}}`, false},
		{"= * does not match a missing field", `{ $.a = * }`, `{}`, false},
		{"unquoted true does not match a boolean", `{ $.a = true }`, `{"a": true}`, false},
		{"unquoted true matches the string true", `{ $.a = true }`, `{"a": "true"}`, true},

		// Strings and numbers (decisions 2 and 3).
		{"quoted digits match a number", `{ $.errorCode = "400" }`, `{"errorCode": 400}`, true},
		{"string wildcard matches a number's text", `{ $.status = 4* }`, `{"status": 404}`, true},
		{"string wildcard does not match another number", `{ $.status = 4* }`, `{"status": 504}`, false},
		{"number pattern equals a numeric string by text", `{ $.recipientAccountId = 123456789012 }`, `{"recipientAccountId": "123456789012"}`, true},
		{"number pattern != numeric string by text", `{ $.recipientAccountId != 123456789012 }`, `{"recipientAccountId": "210987654321"}`, true},
		{"number pattern does not equal a different text", `{ $.a = 400 }`, `{"a": "400.0"}`, false},
		{"numeric comparison ignores strings", `{ $.a > 5 }`, `{"a": "10"}`, false},
		{"numeric comparison ignores booleans", `{ $.a > 0 }`, `{"a": true}`, false},
		{"numeric comparison on a missing field", `{ $.a < 5 }`, `{}`, false},
		{"numbers compare numerically across notations", `{ $.a = 1000 }`, `{"a": 1e3}`, true},
		{"decimal equals integer", `{ $.a = 2.0 }`, `{"a": 2}`, true},
		{"negative numbers compare", `{ $.t < -5 }`, `{"t": -10}`, true},
		{"negative exponent notation compares", `{ $.t >= -1.5e2 }`, `{"t": -150}`, true},
		{"decimal starting with a point", `{ $.t > .5 }`, `{"t": 0.75}`, true},
		{"large account ids compare exactly", `{ $.n = 123456789012 }`, `{"n": 123456789012}`, true},

		// Case sensitivity and wildcards (decision 4).
		{"string matching is case-sensitive", `{ $.eventType = "updatetrail" }`, docEvent, false},
		{"selector keys are case-sensitive", `{ $.EventType = "UpdateTrail" }`, docEvent, false},
		{"wildcard in the middle", `{ $.a = Ev*ent }`, `{"a": "Ev-some-ent"}`, true},
		{"wildcard in the middle needs both ends", `{ $.a = Ev*ent }`, `{"a": "Evening"}`, false},
		{"wildcard parts must not overlap", `{ $.a = "ab*ba" }`, `{"a": "aba"}`, false},
		{"several wildcards", `{ $.a = "*://*.example.com/*" }`, `{"a": "https://www.example.com/x"}`, true},
		{"quoted wildcard prefix", `{ $.a = "*Unauthorized*" }`, `{"a": "Client.UnauthorizedOperation"}`, true},
		{"escaped asterisk is literal", `{ $.a = "a\*b" }`, `{"a": "a*b"}`, true},
		{"escaped asterisk is not a wildcard", `{ $.a = "a\*b" }`, `{"a": "axxb"}`, false},
		{"escaped quote in a string", `{ $.a = "say \"hi\"" }`, `{"a": "say \"hi\""}`, true},
		{"empty quoted string matches only empty", `{ $.a = "" }`, `{"a": ""}`, true},
		{"quoted string with spaces and symbols", `{ $.errorMessage = "Failed authentication" }`, iamUserLoginFailed, true},
		{"unquoted value with hyphens", `{ $.region = us-east-1 }`, `{"region": "us-east-1"}`, true},
		{"regex is case-sensitive", `{ $.eventType = %trail% }`, docEvent, false},
		{"regex anchors", `{ $.a = %^[hc]at$% }`, `{"a": "cat"}`, true},
		{"regex anchors reject longer text", `{ $.a = %^[hc]at$% }`, `{"a": "cats"}`, false},
		{"regex != ", `{ $.a != %^ab+c$% }`, `{"a": "ac"}`, true},
		{"regex open lower bound", `{ $.a = %^a{,2}b$% }`, `{"a": "aab"}`, true},
		{"regex on a number's text", `{ $.code = %^4\d\d$% }`, `{"code": 403}`, true},
		{"regex with space and escapes", `{ $.a = %^shutting down\s\w+$% }`, `{"a": "shutting down now"}`, true},

		// Wildcard selectors (decision 6).
		{"[*] matches any element", `{ $.arrayKey[*] = "another value" }`, docEvent, true},
		{"[*] into objects", `{ $.objectList[*].name = b }`, docEvent, true},
		{"[*] with no match", `{ $.objectList[*].name = c }`, docEvent, false},
		{".* selects any field", `{ $.user.* = "John.Stiles@example.com" }`, compoundEvent, true},
		{"[*] on an empty array selects nothing", `{ $.a[*] NOT EXISTS }`, `{"a": []}`, true},
		{"[*] != holds when some element differs", `{ $.a[*] != "x" }`, `{"a": ["x", "y"]}`, true},
		{"[*] IS NULL holds when some element is null", `{ $.a[*] IS NULL }`, `{"a": ["x", null]}`, true},

		// IS and NOT EXISTS (decision 7).
		{"IS TRUE needs a JSON true", `{ $.a IS TRUE }`, `{"a": "true"}`, false},
		{"IS FALSE matches false", `{ $.a IS FALSE }`, `{"a": false}`, true},
		{"IS FALSE does not match a missing field", `{ $.a IS FALSE }`, `{}`, false},
		{"IS FALSE does not match zero", `{ $.a IS FALSE }`, `{"a": 0}`, false},
		{"NOT EXISTS through a scalar", `{ $.eventType.foo NOT EXISTS }`, docEvent, true},
		{"NOT EXISTS past the end of an array", `{ $.arrayKey[2] NOT EXISTS }`, docEvent, true},
		{"NOT EXISTS on an existing element", `{ $.arrayKey[1] NOT EXISTS }`, docEvent, false},
		{"NOT EXISTS on a nested missing field", `{ $.user.name NOT EXISTS }`, compoundEvent, true},
		{"NOT EXISTS on an empty object", `{ $.a NOT EXISTS }`, `{"a": {}}`, false},

		// Selector syntax.
		{"bracket notation with double quotes", `{ $["cluster.name"] = c }`, docEvent, true},
		{"bracket notation without the dot", `{ $['cluster.name'] = c }`, docEvent, true},
		{"bracket notation then a dot", `{ $.['a b'].c = 1 }`, `{"a b": {"c": 1}}`, true},
		{"dotted selector does not read a dotted key", `{ $.cluster.name = "c" }`, docEvent, false},
		{"hyphen and underscore in keys", `{ $.detail-type = x && $.a_b = y }`, `{"detail-type": "x", "a_b": "y"}`, true},
		{"leading zeros in an index", `{ $.a[01] = 2 }`, `{"a": [1, 2]}`, true},

		// Whitespace (decision 9).
		{"no whitespace at all", `{$.a=1&&$.b!=2||$.c>3}`, `{"a": 1, "b": 3}`, true},
		{"tabs and newlines", "{\n\t$.a = 1\n\t&& ( $.b = \"x\" )\n}", `{"a": 1, "b": "x"}`, true},
		{"spaces around the braces", "  { $.a = 1 }  ", `{"a": 1}`, true},

		// Precedence with more terms.
		{"a || b && c is a || (b && c)", `{ $.a = 1 || $.b = 1 && $.c = 1 }`, `{"a": 1, "b": 0, "c": 0}`, true},
		{"a && b || c is (a && b) || c", `{ $.a = 1 && $.b = 1 || $.c = 1 }`, `{"a": 0, "b": 0, "c": 1}`, true},
		{"a && (b || c) needs a", `{ $.a = 1 && ($.b = 1 || $.c = 1) }`, `{"a": 0, "b": 0, "c": 1}`, false},
		{"deeply nested parentheses", `{ (((($.a = 1)))) }`, `{"a": 1}`, true},

		// Decision 10: the event must be an object.
		{"array event never matches", `{ $.a NOT EXISTS }`, `[1, 2]`, false},
		{"string event never matches", `{ $.a NOT EXISTS }`, `"text"`, false},
	})
}

func TestMatchKeepsOriginalNumberText(t *testing.T) {
	p, err := filterpattern.Parse(`{ $.n = "1e3" }`)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Match compares with the text as logged", func(t *testing.T) {
		if ok, err := p.Match([]byte(`{"n": 1e3}`)); err != nil || !ok {
			t.Errorf("Match = %v, %v; want true, nil", ok, err)
		}
	})
	t.Run("MatchValue on float64 uses the shortest decimal text", func(t *testing.T) {
		if p.MatchValue(map[string]any{"n": 1e3}) {
			t.Error("MatchValue(float64 1e3) matched \"1e3\"; want the text \"1000\"")
		}
	})
	t.Run("MatchValue accepts int values", func(t *testing.T) {
		q, _ := filterpattern.Parse(`{ $.n >= 3 && $.m = 4 }`)
		if !q.MatchValue(map[string]any{"n": 3, "m": int64(4)}) {
			t.Error("MatchValue with int values did not match")
		}
	})
}

func TestMatchRejectsInvalidJSON(t *testing.T) {
	p, err := filterpattern.Parse(`{ $.a = 1 }`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, event string }{
		{"empty event", ``},
		{"plain text event", `ERROR something failed`},
		{"truncated object", `{"a": 1`},
		{"trailing data", `{"a": 1} {"a": 1}`},
		{"trailing garbage", `{"a": 1}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := p.Match([]byte(tc.event))
			if err == nil || ok {
				t.Fatalf("Match(%q) = %v, %v; want false and an error", tc.event, ok, err)
			}
			if !strings.HasPrefix(err.Error(), "filter pattern: event is not valid JSON: ") {
				t.Errorf("error %q lacks the expected prefix", err)
			}
		})
	}
	t.Run("trailing whitespace is fine", func(t *testing.T) {
		if ok, err := p.Match([]byte("{\"a\": 1}\n")); err != nil || !ok {
			t.Errorf("Match = %v, %v; want true, nil", ok, err)
		}
	})
}

func TestParseErrors(t *testing.T) {
	long := "{ " + strings.Repeat("$.a = 1 || ", 100) + "$.a = 1 }"
	for _, tc := range []struct{ name, pattern, want string }{
		{"empty pattern", ``, `column 1: expected "{": only JSON filter patterns such as { $.eventName = "ConsoleLogin" } are supported`},
		{"term pattern", `ERROR`, `column 1: expected "{": only JSON filter patterns such as { $.eventName = "ConsoleLogin" } are supported`},
		{"space-delimited pattern", `[ip, user, ..., status_code = 4*, bytes]`, `column 1: expected "{": only JSON filter patterns such as { $.eventName = "ConsoleLogin" } are supported`},
		{"empty braces", `{ }`, `column 3: expected a selector such as $.eventName, or "(", found "}"`},
		{"selector without $", `{ eventName = x }`, `column 3: expected a selector such as $.eventName, or "(", found "eventName"`},
		{"selector without dot", `{ $eventName = x }`, `column 4: expected "." after "$", found "eventName"`},
		{"index on the root", `{ $[0] = x }`, `column 4: an array index must follow a property, as in $.users[0]`},
		{"empty property name", `{ $.a. = 1 }`, `column 7: expected a property name, "*" or "[" after ".", found " "`},
		{"double dot", `{ $..a = 1 }`, `column 5: expected a property name, "*" or "[" after ".", found "."`},
		{"bad index", `{ $.a[x] = 1 }`, `column 7: expected an array index, "*" or a quoted property name after "[", found "x"`},
		{"unclosed index", `{ $.a[0 = 1 }`, `column 8: expected "]", found " "`},
		{"huge index", `{ $.a[99999999999999999999] = 1 }`, `column 7: array index 99999999999999999999 is out of range`},
		{"unterminated bracket key", `{ $.['a.b = 1 }`, `column 6: unterminated quoted property name`},
		{"missing operator", `{ $.eventName ConsoleLogin }`, `column 15: expected "=", "!=", "<", "<=", ">", ">=", IS or NOT EXISTS after $.eventName, found "ConsoleLogin"`},
		{"bang without equals", `{ $.a ! = 1 }`, `column 7: expected "=", "!=", "<", "<=", ">", ">=", IS or NOT EXISTS after $.a, found "!"`},
		{"missing value", `{ $.eventName = }`, `column 17: expected a value after "=", found "}"`},
		{"double equals", `{ $.a == 1 }`, `column 8: expected a value after "=", found "="`},
		{"unterminated string", `{ $.eventName = "ConsoleLogin }`, `column 17: unterminated string`},
		{"special character unquoted", `{ $.a = foo@bar }`, `column 12: unexpected "@" in an unquoted value: values with characters other than letters, digits, _ - . + and * must be double-quoted`},
		{"relational operator with a word", `{ $.latency > fast }`, `column 15: expected a number after ">", found "fast"`},
		{"relational operator with a quoted number", `{ $.latency >= "5" }`, `column 16: expected a number after ">=", found the string "5"`},
		{"relational operator with a wildcard", `{ $.latency < 5* }`, `column 15: expected a number after "<", found "5*"`},
		{"relational operator with a regex", `{ $.latency <= %5% }`, `column 16: expected a number after "<=", found the regex %5%`},
		{"number out of range", `{ $.a = 1e999 }`, `column 9: number 1e999 is out of range`},
		{"IS NOT is unsupported", `{ $.a IS NOT NULL }`, `column 7: "IS NOT" is not supported (use != or NOT EXISTS)`},
		{"EXISTS is unsupported", `{ $.a EXISTS }`, `column 7: "EXISTS" is not supported (only NOT EXISTS is)`},
		{"lower-case keyword", `{ $.a is null }`, `column 7: keywords are case-sensitive: expected IS, found "is"`},
		{"lower-case NULL", `{ $.a IS null }`, `column 10: expected NULL, TRUE or FALSE after IS, found "null"`},
		{"unknown IS operand", `{ $.a IS MISSING }`, `column 10: expected NULL, TRUE or FALSE after IS, found "MISSING"`},
		{"NOT without EXISTS", `{ $.a NOT THERE }`, `column 11: expected EXISTS after NOT, found "THERE"`},
		{"single ampersand", `{ $.a = 1 & $.b = 2 }`, `column 11: expected "&&", "||" or "}", found "&"`},
		{"word operator", `{ $.a = 1 AND $.b = 2 }`, `column 11: expected "&&", "||" or "}", found "AND"`},
		{"dangling &&", `{ $.a = "x" && }`, `column 16: expected a selector such as $.eventName, or "(", found "}"`},
		{"unclosed parenthesis", `{ ($.a = 1 }`, `column 12: expected "&&", "||" or ")", found "}"`},
		{"missing closing brace", `{ $.eventName = "x" `, `column 21: expected "&&", "||" or "}", found end of pattern`},
		{"text after closing brace", `{ $.a = 1 } extra`, `column 13: unexpected "extra" after the closing "}"`},
		{"negation is unsupported", `{ !($.a = 1) }`, `column 3: expected a selector such as $.eventName, or "(", found "!"`},
		{"unterminated regex", `{ $.a = %abc }`, `column 9: unterminated regex: expected a closing "%"`},
		{"empty regex", `{ $.a = %% }`, `column 9: empty regex`},
		{"parentheses in a regex", `{ $.a = %(abc)% }`, `column 10: character '(' is not supported in a regex`},
		{"unsupported symbol in a regex", `{ $.a = %something!% }`, `column 19: character '!' is not supported in a regex`},
		{"multi-byte character in a regex", `{ $.a = %café% }`, `column 13: multi-byte characters are not supported in a regex`},
		{"invalid regex", `{ $.a = %[a-% }`, "column 9: invalid regex: error parsing regexp: missing closing ]: `[a-`"},
		{"three regexes", `{ $.a = %a% || $.b = %b% || $.c = %c% }`, `column 35: too many regexes: at most 2 are allowed in a pattern`},
		{"two wildcards in a selector", `{ $.a[*].b[*] = 1 }`, `column 3: selector $.a[*].b[*] has 2 wildcards; at most 1 is allowed`},
		{"four wildcard selectors", `{ $.a[*] = 1 || $.b[*] = 1 || $.c[*] = 1 || $.d[*] = 1 }`, `column 45: too many wildcard selectors: at most 3 are allowed in a pattern`},
		{"longer than 1024 characters", long, `column 1025: pattern is longer than 1024 characters`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := filterpattern.Parse(tc.pattern)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", tc.pattern, p)
			}
			if want := "filter pattern: " + tc.want; err.Error() != want {
				t.Errorf("Parse(%q) error\n got: %s\nwant: %s", tc.pattern, err, want)
			}
			var se *filterpattern.SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("error is %T, want *filterpattern.SyntaxError", err)
			}
		})
	}
}

func TestParseAcceptsQuotaLimits(t *testing.T) {
	for _, tc := range []struct{ name, pattern string }{
		{"two regexes", `{ $.a = %a% || $.b = %b% }`},
		{"three wildcard selectors", `{ $.a[*] = 1 || $.b[*] = 1 || $.c.* = 1 }`},
		{"exactly 1024 characters", "{ $.a = \"" + strings.Repeat("x", 1024-len(`{ $.a = "" }`)) + "\" }"},
		{"every operator", `{ $.a = 1 && $.a != 1 && $.a < 1 && $.a <= 1 && $.a > 1 && $.a >= 1 }`},
		{"every keyword", `{ $.a IS NULL || $.a IS TRUE || $.a IS FALSE || $.a NOT EXISTS }`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := filterpattern.Parse(tc.pattern); err != nil {
				t.Errorf("Parse(%q): %v", tc.pattern, err)
			}
		})
	}
}

// FuzzParse checks that Parse never panics, that errors are well-formed,
// and that accepted patterns evaluate without panicking.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		cisRootUsage, cisConsoleNoMFA, cisKMSKeyDisabled, cisUnauthorizedAPI,
		`{ $.* = %111\.111\.111\.1[0-9]{1,2}% }`, `{ $.['cluster.name'] = "c" }`,
		`{ $.arrayKey[*] = %val.{2}% }`, `{ $.a = "a\*b" }`, `{ $.a[0][1] >= -1.5e+2 }`,
		`{ $.a IS NULL || $.b NOT EXISTS }`, `{ ($.a = 1 }`, `{ $["x"] = "\"" }`, ``, `{`,
	} {
		f.Add(s)
	}
	events := [][]byte{[]byte(docEvent), []byte(compoundEvent), []byte(rootConsoleLogin)}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := filterpattern.Parse(s)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "filter pattern: column ") || strings.HasSuffix(msg, ".") {
				t.Fatalf("malformed error %q", msg)
			}
			return
		}
		if p.String() != s {
			t.Fatalf("String() = %q, want %q", p.String(), s)
		}
		for _, e := range events {
			if _, err := p.Match(e); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := p.Match(bytes.Repeat([]byte("["), 3)); err == nil {
			t.Fatal("Match accepted invalid JSON")
		}
	})
}
