package constructstest_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/secure-baseline/cdk-baseline/constructs/guardduty"
)

func detector(t *testing.T, mutate func(*guardduty.Props)) (*resource, template) {
	t.Helper()
	props := guardduty.Props{}
	if mutate != nil {
		mutate(&props)
	}
	tm := synth(t, func(s awscdk.Stack) { guardduty.New(s, "GuardDuty", props) })
	return tm.one(t, "AWS::GuardDuty::Detector"), tm
}

// features are a detector's features, name -> status.
func features(t *testing.T, d *resource) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range d.Properties["Features"].([]any) {
		m := f.(map[string]any)
		out[m["Name"].(string)] = m["Status"].(string)
	}
	return out
}

func TestGuardDuty(t *testing.T) {
	t.Run("default: every plan on, updates every 15 minutes, retained", func(t *testing.T) {
		d, _ := detector(t, nil)
		got := features(t, d)
		if len(got) != len(guardduty.Plans) {
			t.Fatalf("features %v, want one per plan %v", got, guardduty.Plans)
		}
		for _, p := range guardduty.Plans {
			if got[guardduty.Feature(p)] != "ENABLED" {
				t.Errorf("plan %s (%s) is %q, want ENABLED", p, guardduty.Feature(p), got[guardduty.Feature(p)])
			}
		}
		if d.Properties["FindingPublishingFrequency"] != "FIFTEEN_MINUTES" || d.Properties["Enable"] != true {
			t.Errorf("properties %v", d.Properties)
		}
		if d.DeletionPolicy != "Retain" {
			t.Errorf("DeletionPolicy %q, want Retain: deleting a detector deletes its findings", d.DeletionPolicy)
		}
	})
	t.Run("the L1 is the child Resource, so the detector keeps its logical id", func(t *testing.T) {
		s := newStack()
		d := guardduty.New(s, "GuardDuty", guardduty.Props{})
		if *d.Resource.Node().Id() != "Resource" || *d.Resource.Node().Path() != "Test/GuardDuty/Resource" {
			t.Errorf("path %s", *d.Resource.Node().Path())
		}
	})
	t.Run("DisabledPlans turn plans off and say so", func(t *testing.T) {
		d, _ := detector(t, func(p *guardduty.Props) { p.DisabledPlans = []guardduty.Plan{guardduty.Runtime, guardduty.RDS} })
		got := features(t, d)
		for _, p := range guardduty.Plans {
			want := "ENABLED"
			if p == guardduty.Runtime || p == guardduty.RDS {
				want = "DISABLED"
			}
			if got[guardduty.Feature(p)] != want {
				t.Errorf("plan %s is %q, want %s", p, got[guardduty.Feature(p)], want)
			}
		}
	})
	t.Run("FindingFrequency", func(t *testing.T) {
		d, _ := detector(t, func(p *guardduty.Props) { p.FindingFrequency = guardduty.Every6Hours })
		if d.Properties["FindingPublishingFrequency"] != "SIX_HOURS" {
			t.Errorf("frequency %v", d.Properties["FindingPublishingFrequency"])
		}
	})
	t.Run("Availability leaves out a plan missing in the region", func(t *testing.T) {
		d, _ := detector(t, func(p *guardduty.Props) { p.Availability = noPlan{guardduty.RDS} })
		if _, ok := features(t, d)[guardduty.Feature(guardduty.RDS)]; ok {
			t.Errorf("RDS_LOGIN_EVENTS is named in a region without it")
		}
	})
	t.Run("Disabled is the complement of the plans asked for", func(t *testing.T) {
		got := guardduty.Disabled([]guardduty.Plan{guardduty.S3, guardduty.EKS, guardduty.Malware, guardduty.Lambda})
		if jsonOf(t, got) != `["rds","runtime"]` {
			t.Errorf("Disabled = %v", got)
		}
	})
	checkPanics(t, []panicCase{
		{"an unknown disabled plan", func(s awscdk.Stack) {
			guardduty.New(s, "G", guardduty.Props{DisabledPlans: []guardduty.Plan{"ecs"}})
		}, `guardduty: DisabledPlans[0] "ecs" is not one of s3, eks, malware, rds, lambda, runtime`},
		{"an unknown finding frequency", func(s awscdk.Stack) { guardduty.New(s, "G", guardduty.Props{FindingFrequency: "5m"}) },
			`guardduty: FindingFrequency "5m" is not one of 15m, 1h, 6h`},
		{"an unknown plan asked for", func(awscdk.Stack) { guardduty.Disabled([]guardduty.Plan{"s3", "ecs"}) },
			`guardduty: plan "ecs" (item 1) is not one of s3, eks, malware, rds, lambda, runtime`},
	})
}

// noPlan is a region where one plan does not exist.
type noPlan struct{ missing guardduty.Plan }

func (n noPlan) PlanAvailable(plan, _ string) bool { return plan != string(n.missing) }
