package verify

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// Expect is what one synthesized stack says the account should have in
// the stack's region. Everything is read from the template, so verify
// checks what was deployed, not a second copy of the config.
type Expect struct {
	Stack  string
	Region string

	Trails           []Trail
	Recorders        []string // Config recorder names
	DeliveryChannels []string
	Detectors        []Detector
	Standards        []Standard
	Alarms           []Alarm
	Topics           []Topic
	PasswordPolicy   map[string]any // the UpdateAccountPasswordPolicy parameters
	PublicAccess     map[string]bool
	EbsEncryption    bool
	Analyzers        []Analyzer
}

// Trail is an AWS::CloudTrail::Trail.
type Trail struct {
	Name                     string
	MultiRegion, Validation  bool
	GlobalEvents, CloudWatch bool
	Logging                  bool
}

// Detector is an AWS::GuardDuty::Detector.
type Detector struct {
	Enable   bool
	Features map[string]string // feature name -> ENABLED|DISABLED
}

// Standard is an AWS::SecurityHub::Standard.
type Standard struct {
	Arn      string
	Disabled []string // standards control ARNs
}

// Alarm is an AWS::CloudWatch::Alarm.
type Alarm struct {
	Name           string
	ActionsEnabled bool
	// Control is the Security Hub control the alarm satisfies, from the
	// "Controls: CloudWatch.N, ..." of its description (the alarm
	// catalog, policies/alarms.yaml, writes it there); "" for none.
	Control string
}

var alarmControl = regexp.MustCompile(`Controls: (CloudWatch\.\d+)`)

// Topic is an AWS::SNS::Topic with its AWS::SNS::Subscriptions.
type Topic struct {
	Name          string
	Subscriptions []Subscription
}

// Subscription is an AWS::SNS::Subscription.
type Subscription struct{ Protocol, Endpoint string }

// Analyzer is an AWS::AccessAnalyzer::Analyzer.
type Analyzer struct{ Name, Type string }

// Expectations reads what s's template asks for. A property verify needs
// that is not a literal (an unresolved intrinsic) is an error naming the
// resource: verify never guesses.
func Expectations(s assembly.Stack) (*Expect, error) {
	e := &Expect{Stack: s.Name, Region: s.Region}
	ids := make([]string, 0, len(s.Template.Resources))
	for id := range s.Template.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	topics := map[string]*Topic{} // logical id -> topic
	var subs []string
	var errs []string
	str := func(id string, p map[string]any, key string) string {
		v, ok := p[key].(string)
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: %s is %v, not a literal string", id, key, p[key]))
		}
		return v
	}
	flag := func(p map[string]any, key string) bool { b, _ := p[key].(bool); return b }
	for _, id := range ids {
		r := s.Template.Resources[id]
		p := r.Properties
		switch r.Type {
		case "AWS::CloudTrail::Trail":
			e.Trails = append(e.Trails, Trail{Name: str(id, p, "TrailName"), MultiRegion: flag(p, "IsMultiRegionTrail"),
				Validation: flag(p, "EnableLogFileValidation"), GlobalEvents: flag(p, "IncludeGlobalServiceEvents"),
				CloudWatch: p["CloudWatchLogsLogGroupArn"] != nil, Logging: flag(p, "IsLogging")})
		case "AWS::Config::ConfigurationRecorder":
			e.Recorders = append(e.Recorders, str(id, p, "Name"))
		case "AWS::Config::DeliveryChannel":
			e.DeliveryChannels = append(e.DeliveryChannels, str(id, p, "Name"))
		case "AWS::GuardDuty::Detector":
			d := Detector{Enable: flag(p, "Enable"), Features: map[string]string{}}
			features, _ := p["Features"].([]any)
			for _, f := range features {
				m, _ := f.(map[string]any)
				d.Features[str(id, m, "Name")] = str(id, m, "Status")
			}
			e.Detectors = append(e.Detectors, d)
		case "AWS::SecurityHub::Standard":
			st := Standard{Arn: str(id, p, "StandardsArn")}
			disabled, _ := p["DisabledStandardsControls"].([]any)
			for _, c := range disabled {
				m, _ := c.(map[string]any)
				st.Disabled = append(st.Disabled, str(id, m, "StandardsControlArn"))
			}
			e.Standards = append(e.Standards, st)
		case "AWS::CloudWatch::Alarm":
			a := Alarm{Name: str(id, p, "AlarmName"), ActionsEnabled: p["ActionsEnabled"] != false}
			if desc, ok := p["AlarmDescription"].(string); ok {
				if m := alarmControl.FindStringSubmatch(desc); m != nil {
					a.Control = m[1]
				}
			}
			e.Alarms = append(e.Alarms, a)
		case "AWS::SNS::Topic":
			topics[id] = &Topic{Name: str(id, p, "TopicName")}
		case "AWS::SNS::Subscription":
			subs = append(subs, id)
		case "Custom::AccountPasswordPolicy":
			if err := customParameters(id, r, &e.PasswordPolicy); err != nil {
				errs = append(errs, err.Error())
			}
		case "Custom::AccountPublicAccessBlock":
			var params struct {
				PublicAccessBlockConfiguration map[string]bool
			}
			if err := customParameters(id, r, &params); err != nil {
				errs = append(errs, err.Error())
			}
			e.PublicAccess = params.PublicAccessBlockConfiguration
		case "Custom::EbsEncryptionByDefault":
			e.EbsEncryption = true
		case "AWS::AccessAnalyzer::Analyzer":
			e.Analyzers = append(e.Analyzers, Analyzer{Name: str(id, p, "AnalyzerName"), Type: str(id, p, "Type")})
		}
	}
	for _, id := range subs {
		p := s.Template.Resources[id].Properties
		ref, _ := p["TopicArn"].(map[string]any)
		t := topics[fmt.Sprint(ref["Ref"])]
		if t == nil {
			errs = append(errs, fmt.Sprintf("%s: TopicArn %v is not a Ref to a topic of this stack", id, p["TopicArn"]))
			continue
		}
		t.Subscriptions = append(t.Subscriptions, Subscription{Protocol: str(id, p, "Protocol"), Endpoint: str(id, p, "Endpoint")})
	}
	for _, id := range ids {
		if t := topics[id]; t != nil {
			e.Topics = append(e.Topics, *t)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("stack %s (%s): %s", s.Name, s.TemplateFile, strings.Join(errs, "; "))
	}
	return e, nil
}

// customParameters decodes the SDK call parameters of an AwsCustomResource
// (its Create call: the one that sets the state verify compares with).
func customParameters(id string, r assembly.Resource, into any) error {
	create, _ := r.Properties["Create"].(map[string]any)
	raw, ok := create["Parameters"].(string)
	if !ok {
		return fmt.Errorf("%s: Create.Parameters is %v, not a literal JSON string", id, create["Parameters"])
	}
	if err := json.Unmarshal([]byte(raw), into); err != nil {
		return fmt.Errorf("%s: Create.Parameters: %v", id, err)
	}
	return nil
}
