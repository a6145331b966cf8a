package config

import (
	"fmt"

	"github.com/secure-baseline/cdk-baseline/internal/strictyaml"
)

// Regions are the AWS commercial-partition regions this tool deploys to,
// as of November 2026. Opt-in regions must be enabled in the account first.
// GovCloud and China regions use other partitions and are not supported.
var Regions = []string{
	"af-south-1",
	"ap-east-1", "ap-east-2",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2",
	"eu-north-1",
	"eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3",
	"il-central-1",
	"me-central-1", "me-south-1",
	"mx-central-1",
	"sa-east-1",
	"us-east-1", "us-east-2",
	"us-west-1", "us-west-2",
}

const exampleRegion = "us-east-1"

// regionHint suggests the nearest known region for a typo.
func regionHint(r string) string {
	if best := strictyaml.Closest(r, Regions, 3); best != "" {
		return fmt.Sprintf("did you mean %s?", best)
	}
	return "region codes look like " + exampleRegion
}
