package policies

import "regexp"

// InstanceSizePattern is the pattern ValidInstanceSize checks, for the
// config's JSON Schema (config.SchemaRules).
func InstanceSizePattern() *regexp.Regexp { return instanceSizeRe }
