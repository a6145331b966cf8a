package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// CostFacts are what an account's templates say that the cost model needs.
// They are counted from the cloud assembly, never assumed.
type CostFacts struct {
	Regions int // stacks of the account
	// The trail, in the home stack.
	Trail                                     bool
	ManagementEvents                          string  // All, WriteOnly, ReadOnly or None
	LogsDelivery                              bool    // the trail sends events to CloudWatch Logs
	LogRetentionDays                          float64 // of the trail's log group; 0: never expires
	S3DataEvents                              bool    // the trail logs S3 data events (of any bucket)
	LambdaDataEvents                          bool
	APICallRateInsights, APIErrorRateInsights bool
	// The log bucket's lifecycle (days), when the assembly holds it.
	TransitionDays, ExpirationDays float64
	// SmallFilesStay: the log bucket's lifecycle leaves log files under
	// 128 KB in S3 Standard (see smallFilesStay).
	SmallFilesStay bool
	// Counted over all the account's stacks.
	Alarms, MetricFilters, Keys      int
	Recorders, DailyRecorders        int // Config recorders; those with daily-recorded types
	ConfigRules                      int
	Detectors, S3Protection, Runtime int // GuardDuty detectors; with S3 Protection; with Runtime Monitoring
	Standards                        int // Security Hub standards
	// Regions where Inspector scans each resource type (its custom
	// resource's Enable call names them).
	InspectorEC2, InspectorECR, InspectorLambda, InspectorLambdaCode int
}

// Facts reads the cost facts of an account.
func Facts(asm *assembly.Assembly, acc *assembly.Account) CostFacts {
	f := CostFacts{Regions: len(acc.Stacks), TransitionDays: 90, ExpirationDays: 2557, SmallFilesStay: true}
	t := &Target{Assembly: asm, Stack: acc.Home(), Home: acc.Home(), Account: acc}
	if tr, ok := homeTrail(t); ok {
		f.Trail = true
		f.ManagementEvents = managementEvents(tr)
		f.LogsDelivery = tr.Prop("CloudWatchLogsLogGroupArn") != nil
		if g, ok := acc.Home().ByID(assembly.RefTarget(tr.Prop("CloudWatchLogsLogGroupArn"))); ok {
			f.LogRetentionDays, _ = g.Num("RetentionInDays")
		}
		for _, sel := range tr.List("EventSelectors") {
			for _, dr := range asList(assembly.Dig(sel, "DataResources")) {
				switch assembly.Dig(dr, "Type") {
				case "AWS::S3::Object":
					f.S3DataEvents = true
				case "AWS::Lambda::Function":
					f.LambdaDataEvents = true
				}
			}
		}
		for _, in := range tr.List("InsightSelectors") {
			switch assembly.Dig(in, "InsightType") {
			case "ApiCallRateInsight":
				f.APICallRateInsights = true
			case "ApiErrorRateInsight":
				f.APIErrorRateInsights = true
			}
		}
		if b, ok := t.named("AWS::S3::Bucket", "BucketName", tr.Str("S3BucketName")); ok {
			for _, r := range b.List("LifecycleConfiguration", "Rules") {
				if d, ok := assembly.Number(assembly.Dig(r, "ExpirationInDays")); ok {
					f.ExpirationDays = d
				}
				if d, ok := assembly.Number(assembly.Dig(r, "Transitions", "0", "TransitionInDays")); ok {
					f.TransitionDays = d
				}
			}
			f.SmallFilesStay = smallFilesStay(b)
		}
	}
	for _, s := range acc.Stacks {
		f.Alarms += len(s.All("AWS::CloudWatch::Alarm"))
		f.MetricFilters += len(s.All("AWS::Logs::MetricFilter"))
		f.Keys += len(s.All("AWS::KMS::Key"))
		f.ConfigRules += len(s.All("AWS::Config::ConfigRule"))
		f.Standards += len(s.All("AWS::SecurityHub::Standard"))
		for _, r := range s.All("AWS::Config::ConfigurationRecorder") {
			f.Recorders++
			for _, o := range r.List("RecordingMode", "RecordingModeOverrides") {
				if assembly.Dig(o, "RecordingFrequency") == "DAILY" {
					f.DailyRecorders++
					break
				}
			}
		}
		for _, r := range s.All("Custom::InspectorScans") {
			// The resource types are in the Enable call's JSON parameters
			// (a string, or a join with the account id).
			params := fmt.Sprint(assembly.Dig(r.Properties, "Create", "Parameters"))
			for _, c := range []struct {
				typ string
				n   *int
			}{{`\"EC2\"`, &f.InspectorEC2}, {`\"ECR\"`, &f.InspectorECR}, {`\"LAMBDA\"`, &f.InspectorLambda}, {`\"LAMBDA_CODE\"`, &f.InspectorLambdaCode}} {
				if strings.Contains(params, c.typ) {
					*c.n++
				}
			}
		}
		for _, d := range s.All("AWS::GuardDuty::Detector") {
			f.Detectors++
			for _, feat := range d.List("Features") {
				if assembly.Dig(feat, "Status") != "ENABLED" {
					continue
				}
				switch assembly.Dig(feat, "Name") {
				case "S3_DATA_EVENTS":
					f.S3Protection++
				case "RUNTIME_MONITORING", "EKS_RUNTIME_MONITORING":
					f.Runtime++
				}
			}
		}
	}
	return f
}

// CostLine is one line item of an estimate.
type CostLine struct {
	Item    string
	Formula string // the formula with its inputs, as printed
	USD     float64
}

// OptionEffect is what turning a cost option the other way would change.
type OptionEffect struct {
	Key      string
	Now      string
	Then     string
	DeltaUSD float64
	Note     string
}

// Estimate is one account's monthly cost estimate.
type Estimate struct {
	Lines   []CostLine
	Total   float64
	Options []OptionEffect
}

// EstimateCost prices an account's facts, and the effect of each cost
// option.
func EstimateCost(f CostFacts, a *Assumptions) Estimate {
	e := Estimate{Lines: costLines(f, a)}
	e.Total = sum(e.Lines)
	try := func(key, now, then, note string, change func(*CostFacts)) {
		g := f
		change(&g)
		e.Options = append(e.Options, OptionEffect{Key: key, Now: now, Then: then, Note: note, DeltaUSD: sum(costLines(g, a)) - e.Total})
	}
	if f.Trail {
		if f.ManagementEvents == "All" {
			try("trail.managementEvents", "all", "writeOnly", "fails CloudTrail.1 (and S3.23)", func(g *CostFacts) { g.ManagementEvents = "WriteOnly" })
		} else if f.ManagementEvents == "WriteOnly" {
			try("trail.managementEvents", "writeOnly", "all", "passes CloudTrail.1", func(g *CostFacts) { g.ManagementEvents = "All" })
		}
		if f.S3DataEvents {
			try("trail.dataEvents.s3", "on", "[] (off)", "fails S3.22 and S3.23", func(g *CostFacts) { g.S3DataEvents = false })
		} else {
			try("trail.dataEvents.s3", "[] (off)", "[all]", "passes S3.22 (and S3.23 with all management events)", func(g *CostFacts) { g.S3DataEvents = true })
		}
	}
	if f.Recorders > 0 {
		if f.DailyRecorders > 0 {
			try("awsConfig.dailyResourceTypes", "set (periodic recording)", "[] (all continuous)", "", func(g *CostFacts) { g.DailyRecorders = 0 })
		} else {
			try("awsConfig.dailyResourceTypes", "[] (all continuous)", "high-churn types daily", "pays off when a daily-type resource changes more than 4 times a day (usage.dailyTypeShare, dailyTypeResourcesPerRegion)", func(g *CostFacts) { g.DailyRecorders = g.Recorders })
		}
	}
	return e
}

func sum(lines []CostLine) float64 {
	t := 0.0
	for _, l := range lines {
		t += l.USD
	}
	return t
}

// daysPerMonth converts retention and lifecycle days to months.
const daysPerMonth = 30.44

// kbPerGB: AWS bills GB as 2^30 bytes.
const kbPerGB = 1024 * 1024

// share is the part of events a trail logs with a ReadWriteType.
func share(rw string, writes float64) float64 {
	switch rw {
	case "All":
		return 1
	case "WriteOnly":
		return writes
	case "ReadOnly":
		return 1 - writes
	}
	return 0
}

func costLines(f CostFacts, a *Assumptions) []CostLine {
	var lines []CostLine
	add := func(item string, usd float64, formula string, args ...any) {
		lines = append(lines, CostLine{Item: item, USD: usd, Formula: fmt.Sprintf(formula, args...)})
	}
	events, writes := a.u("managementEventsPerMonth"), a.u("writeEventShare")
	if f.Trail {
		rw := share(f.ManagementEvents, writes)
		mgmt := events * rw
		var data, s3, lambda float64
		if f.S3DataEvents {
			s3 = a.u("s3DataEventsPerMonth") * rw
		}
		if f.LambdaDataEvents {
			lambda = a.u("lambdaDataEventsPerMonth") * rw
		}
		data = s3 + lambda
		add("CloudTrail management events", events*a.p("cloudTrailManagementFirstCopy"),
			"first copy in each region: %s events x %s", count(events), usd(a.p("cloudTrailManagementFirstCopy")))
		if data > 0 {
			add("CloudTrail data events", data/1e5*a.p("cloudTrailDataEventsPer100k"),
				"(S3 %s + Lambda %s) events x share %s / 100,000 x %s", count(a.u("s3DataEventsPerMonth")*b2f(f.S3DataEvents)), count(a.u("lambdaDataEventsPerMonth")*b2f(f.LambdaDataEvents)), num(rw), usd(a.p("cloudTrailDataEventsPer100k")))
		}
		if f.APICallRateInsights || f.APIErrorRateInsights {
			analyzed := events*writes*b2f(f.APICallRateInsights) + mgmt*b2f(f.APIErrorRateInsights)
			add("CloudTrail Insights", analyzed/1e5*a.p("cloudTrailInsightsPer100k"),
				"(call rate: %s write events + error rate: %s logged events) / 100,000 x %s", count(events*writes*b2f(f.APICallRateInsights)), count(mgmt*b2f(f.APIErrorRateInsights)), usd(a.p("cloudTrailInsightsPer100k")))
		}
		gb := (mgmt + data) * a.u("eventSizeKB") / kbPerGB
		if f.LogsDelivery {
			add("CloudWatch Logs ingestion", gb*a.p("logsIngestionPerGB"),
				"%s events x %s KB / 1,048,576 KB/GB = %s GB x %s", count(mgmt+data), num(a.u("eventSizeKB")), num(round(gb, 2)), usd(a.p("logsIngestionPerGB")))
			months := a.u("horizonMonths")
			if f.LogRetentionDays > 0 {
				months = math.Min(months, f.LogRetentionDays/daysPerMonth)
			}
			add(fmt.Sprintf("CloudWatch Logs storage, month %s", num(a.u("horizonMonths"))), gb*a.u("logsCompressionRatio")*months*a.p("logsStoragePerGBMonth"),
				"%s GB x %s compressed x %s months kept x %s", num(round(gb, 2)), num(a.u("logsCompressionRatio")), num(round(months, 2)), usd(a.p("logsStoragePerGBMonth")))
		}
		h := a.u("horizonMonths")
		kept := math.Min(h, f.ExpirationDays/daysPerMonth)
		std := math.Min(h, f.TransitionDays/daysPerMonth)
		gir := math.Max(0, kept-std)
		gz := gb * a.u("gzipRatio")
		// Files under 128 KB never leave Standard when the lifecycle says
		// so (smallFilesStay); only the rest moves to Glacier IR.
		small := 0.0
		if f.SmallFilesStay {
			small = a.u("smallLogFileShare")
		}
		add(fmt.Sprintf("S3 log files, month %s", num(h)), gz*(small*kept*a.p("s3StandardPerGBMonth")+(1-small)*(std*a.p("s3StandardPerGBMonth")+gir*a.p("s3GlacierIRPerGBMonth"))),
			"%s GB x %s gzip = %s GB a month; share %s in files under 128 KB: %s months in Standard x %s; the rest: %s months in Standard x %s + %s months in Glacier IR x %s",
			num(round(gb, 2)), num(a.u("gzipRatio")), num(round(gz, 3)), num(small), num(round(kept, 2)), usd(a.p("s3StandardPerGBMonth")),
			num(round(std, 2)), usd(a.p("s3StandardPerGBMonth")), num(round(gir, 2)), usd(a.p("s3GlacierIRPerGBMonth")))
	}
	if f.Alarms > 0 {
		add("CloudWatch alarms", float64(f.Alarms)*a.p("alarmPerMonth"), "%d alarms x %s", f.Alarms, usd(a.p("alarmPerMonth")))
	}
	if f.MetricFilters > 0 {
		add("Custom metrics of the metric filters", float64(f.MetricFilters)*a.p("customMetricPerMonth"), "%d metrics x %s", f.MetricFilters, usd(a.p("customMetricPerMonth")))
	}
	if f.Keys > 0 {
		add("KMS keys", float64(f.Keys)*a.p("kmsKeyPerMonth"), "%d keys x %s", f.Keys, usd(a.p("kmsKeyPerMonth")))
		add("KMS requests", a.u("kmsRequestsPerMonth")/1e4*a.p("kmsRequestsPer10k"), "%s requests / 10,000 x %s", count(a.u("kmsRequestsPerMonth")), usd(a.p("kmsRequestsPer10k")))
	}
	if f.Recorders > 0 {
		items, dshare := a.u("configItemsPerRegionPerMonth"), a.u("dailyTypeShare")
		continuous := float64(f.Recorders)*items - float64(f.DailyRecorders)*items*dshare
		add("AWS Config items, continuous", continuous*a.p("configItemContinuous"),
			"(%d recorders x %s items - %d daily recorders x %s items x share %s) x %s", f.Recorders, count(items), f.DailyRecorders, count(items), num(dshare), usd(a.p("configItemContinuous")))
		if f.DailyRecorders > 0 {
			perRegion := math.Min(items*dshare, a.u("dailyTypeResourcesPerRegion")*30)
			add("AWS Config items, daily types", float64(f.DailyRecorders)*perRegion*a.p("configItemPeriodic"),
				"%d recorders x min(%s items x %s, %s resources x 30 days) x %s", f.DailyRecorders, count(items), num(dshare), count(a.u("dailyTypeResourcesPerRegion")), usd(a.p("configItemPeriodic")))
		}
	}
	if f.ConfigRules > 0 {
		add("AWS Config rule evaluations", float64(f.ConfigRules)*a.u("configEvaluationsPerRulePerRegion")*a.p("configRuleEvaluation"),
			"%d rules x %s evaluations x %s", f.ConfigRules, count(a.u("configEvaluationsPerRulePerRegion")), usd(a.p("configRuleEvaluation")))
	}
	if f.Detectors > 0 {
		covered := float64(f.Detectors) / float64(max(f.Regions, 1))
		add("GuardDuty: management events", events*covered/1e6*a.p("guardDutyManagementEventsPerMillion"),
			"%s events x %d of %d regions / 1,000,000 x %s", count(events), f.Detectors, f.Regions, usd(a.p("guardDutyManagementEventsPerMillion")))
		add("GuardDuty: VPC flow and DNS logs", float64(f.Detectors)*a.u("flowDnsGBPerRegion")*a.p("guardDutyFlowDnsPerGB"),
			"%d detectors x %s GB x %s", f.Detectors, num(a.u("flowDnsGBPerRegion")), usd(a.p("guardDutyFlowDnsPerGB")))
		if f.S3Protection > 0 {
			s3 := float64(f.S3Protection) / float64(max(f.Regions, 1))
			add("GuardDuty: S3 data events", a.u("s3DataEventsPerMonth")*s3/1e6*a.p("guardDutyS3DataEventsPerMillion"),
				"%s events x %d of %d regions / 1,000,000 x %s", count(a.u("s3DataEventsPerMonth")), f.S3Protection, f.Regions, usd(a.p("guardDutyS3DataEventsPerMillion")))
		}
		if f.Runtime > 0 {
			add("GuardDuty: runtime monitoring", float64(f.Runtime)*a.u("runtimeVcpusPerRegion")*a.p("guardDutyRuntimePerVcpuMonth"),
				"%d detectors x %s vCPUs x %s", f.Runtime, num(a.u("runtimeVcpusPerRegion")), usd(a.p("guardDutyRuntimePerVcpuMonth")))
		}
	}
	inspector := []struct {
		item, usage, price string
		regions            int
	}{
		{"Inspector: EC2 instances", "inspectorInstancesPerRegion", "inspectorEc2InstancePerMonth", f.InspectorEC2},
		{"Inspector: ECR images on push", "inspectorImagesPushedPerRegion", "inspectorEcrImageInitialScan", f.InspectorECR},
		{"Inspector: ECR image rescans", "inspectorImageRescansPerRegion", "inspectorEcrImageRescan", f.InspectorECR},
		{"Inspector: Lambda functions", "inspectorFunctionsPerRegion", "inspectorLambdaFunctionPerMonth", f.InspectorLambda},
		{"Inspector: Lambda code", "inspectorFunctionsPerRegion", "inspectorLambdaCodePerMonth", f.InspectorLambdaCode},
	}
	for _, in := range inspector {
		if in.regions > 0 {
			add(in.item, float64(in.regions)*a.u(in.usage)*a.p(in.price),
				"%d regions x %s x %s", in.regions, num(a.u(in.usage)), usd(a.p(in.price)))
		}
	}
	if f.Standards > 0 {
		add("Security Hub checks", float64(f.Standards)*a.u("checksPerStandardPerRegion")*a.p("securityHubCheck"),
			"%d standards (all regions) x %s checks x %s", f.Standards, count(a.u("checksPerStandardPerRegion")), usd(a.p("securityHubCheck")))
	}
	return lines
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

// usd prints a price: at least two decimals, more when the price has them.
func usd(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if whole, frac, ok := strings.Cut(s, "."); !ok {
		s = whole + ".00"
	} else if len(frac) == 1 {
		s += "0"
	}
	return "$" + s
}

// money prints an amount in cents.
func money(v float64) string { return "$" + group(strconv.FormatFloat(v, 'f', 2, 64)) }

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// count prints a whole number with thousands separators.
func count(v float64) string { return group(strconv.FormatFloat(math.Round(v), 'f', 0, 64)) }

func group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}

// smallFilesStay says whether the log bucket's lifecycle leaves objects
// under 128 KB in S3 Standard. It does by S3's default since September 2024
// (TransitionDefaultMinimumObjectSize all_storage_classes_128K,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html).
// varies_by_storage_class lets them into Glacier Flexible Retrieval and
// Deep Archive only, and a rule's ObjectSizeGreaterThan below 128 KB
// overrides either
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html).
func smallFilesStay(b assembly.Res) bool {
	const minimum = 128 * 1024
	mode := b.Prop("LifecycleConfiguration", "TransitionDefaultMinimumObjectSize")
	for _, r := range b.List("LifecycleConfiguration", "Rules") {
		if gt, ok := assembly.Number(assembly.Dig(r, "ObjectSizeGreaterThan")); ok && gt < minimum {
			return false
		}
		for _, tr := range asList(assembly.Dig(r, "Transitions")) {
			switch assembly.Dig(tr, "StorageClass") {
			case "GLACIER", "DEEP_ARCHIVE":
				if mode == "varies_by_storage_class" {
					return false
				}
			}
		}
	}
	return true
}
