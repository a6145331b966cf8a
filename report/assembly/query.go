package assembly

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// This file holds the helpers the reports use to read templates:
// resources by type in a stable order, their construct paths, and property
// values that may be literals or CloudFormation intrinsic functions.

// Res is one resource of a stack, with its logical id.
type Res struct {
	Stack *Stack
	ID    string
	Resource
}

// All returns the stack's resources of the given types (all types when
// none is given), sorted by logical id.
func (s *Stack) All(types ...string) []Res {
	var out []Res
	for id, r := range s.Template.Resources {
		if len(types) == 0 || slices.Contains(types, r.Type) {
			out = append(out, Res{Stack: s, ID: id, Resource: r})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ByID returns the stack's resource with a logical id.
func (s *Stack) ByID(id string) (Res, bool) {
	r, ok := s.Template.Resources[id]
	return Res{Stack: s, ID: id, Resource: r}, ok
}

// Path is the resource's construct path inside its stack, without the
// stack's name and without the L1 suffixes "/Resource" and
// "/Resource/Default" (so an L2 bucket reads LogArchive/Bucket). Resources
// without path metadata go by their logical id.
func (r Res) Path() string {
	p, _ := r.Metadata["aws:cdk:path"].(string)
	if p == "" {
		return r.ID
	}
	p = strings.TrimPrefix(p, r.Stack.Name+"/")
	p = strings.TrimSuffix(p, "/Resource/Default")
	p = strings.TrimSuffix(p, "/Resource")
	return p
}

// Top is the first segment of the resource's construct path: the
// construct the stack added it under (LogArchive, SecurityAlarms, ...).
func (r Res) Top() string {
	first, _, _ := strings.Cut(r.Path(), "/")
	return first
}

// Prop is the property at a path of keys (map keys or list indexes), or nil.
func (r Res) Prop(keys ...string) any { return Dig(r.Properties, keys...) }

// Str is the string property at a path, or "".
func (r Res) Str(keys ...string) string {
	s, _ := r.Prop(keys...).(string)
	return s
}

// Flag reads a boolean property. Templates hold booleans as JSON booleans,
// but CloudFormation also accepts the strings "true" and "false".
func (r Res) Flag(keys ...string) (value, set bool) {
	switch v := r.Prop(keys...).(type) {
	case bool:
		return v, true
	case string:
		b, err := strconv.ParseBool(v)
		return b, err == nil
	}
	return false, false
}

// Num reads a number property (a JSON number or a numeric string).
func (r Res) Num(keys ...string) (float64, bool) { return Number(r.Prop(keys...)) }

// List is the list property at a path, or nil.
func (r Res) List(keys ...string) []any {
	l, _ := r.Prop(keys...).([]any)
	return l
}

// Dig walks nested maps (by key) and lists (by decimal index).
func Dig(v any, keys ...string) any {
	for _, k := range keys {
		switch m := v.(type) {
		case map[string]any:
			v = m[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(m) {
				return nil
			}
			v = m[i]
		default:
			return nil
		}
	}
	return v
}

// Number reads a JSON number or a numeric string.
func Number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case string:
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil
	}
	return 0, false
}

// Strings reads a string or a list of strings.
func Strings(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			} else {
				out = append(out, Render(e))
			}
		}
		return out
	}
	return nil
}

// RefTarget is the logical id that a Ref or Fn::GetAtt points at, or "".
func RefTarget(v any) string {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return ""
	}
	if id, ok := m["Ref"].(string); ok && !strings.HasPrefix(id, "AWS::") {
		return id
	}
	if a, ok := m["Fn::GetAtt"].([]any); ok && len(a) > 0 {
		id, _ := a[0].(string)
		return id
	}
	return ""
}

// Refs lists every logical id a value refers to (Ref, Fn::GetAtt, and the
// ${Id} and ${Id.Attr} forms of Fn::Sub), sorted and without repeats.
func Refs(v any) []string {
	seen := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if id := RefTarget(t); id != "" {
				seen[id] = true
				return
			}
			if sub, ok := t["Fn::Sub"]; ok {
				text, _ := sub.(string)
				if l, ok := sub.([]any); ok && len(l) > 0 {
					text, _ = l[0].(string)
					if len(l) > 1 {
						walk(l[1])
					}
				}
				for _, part := range strings.Split(text, "${")[1:] {
					name, _, _ := strings.Cut(part, "}")
					name, _, _ = strings.Cut(name, ".")
					if name != "" && !strings.HasPrefix(name, "AWS::") && !strings.HasPrefix(name, "!") {
						seen[name] = true
					}
				}
				return
			}
			for _, e := range t {
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Render writes a template value for people: literals as they are,
// intrinsic functions as ${...} placeholders, joins joined.
func Render(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = Render(e)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		if id, ok := t["Ref"].(string); ok {
			return "${" + id + "}"
		}
		if a, ok := t["Fn::GetAtt"].([]any); ok && len(a) == 2 {
			return fmt.Sprintf("${%s.%s}", Render(a[0]), Render(a[1]))
		}
		if j, ok := t["Fn::Join"].([]any); ok && len(j) == 2 {
			sep, _ := j[0].(string)
			items, _ := j[1].([]any)
			parts := make([]string, len(items))
			for i, e := range items {
				parts[i] = Render(e)
			}
			return strings.Join(parts, sep)
		}
		b, _ := json.Marshal(t)
		return string(b)
	}
	return fmt.Sprint(v)
}

// SDKCall is the SDK call a custom resource of the baseline's sdkcall
// construct (or CDK's AwsCustomResource) makes on create: its service,
// action and parameters, read from the resource's Create property.
type SDKCall struct {
	Service    string
	Action     string
	Parameters map[string]any
}

// ReadCall reads a Create (or Update, Delete) property in either form:
// sdkcall's {Client, Method, Parameters: "<JSON>"} (boto3 names), or
// AwsCustomResource's JSON string {service, action, parameters}.
func ReadCall(v any) (SDKCall, bool) {
	var c SDKCall
	switch t := v.(type) {
	case string:
		var raw struct {
			Service    string         `json:"service"`
			Action     string         `json:"action"`
			Parameters map[string]any `json:"parameters"`
		}
		if json.Unmarshal([]byte(t), &raw) != nil {
			return c, false
		}
		c = SDKCall{Service: raw.Service, Action: raw.Action, Parameters: raw.Parameters}
	case map[string]any:
		c.Service, _ = t["Client"].(string)
		c.Action, _ = t["Method"].(string)
		if p := Render(t["Parameters"]); p != "" {
			if json.Unmarshal([]byte(p), &c.Parameters) != nil {
				return c, false
			}
		}
	default:
		return c, false
	}
	return c, c.Action != ""
}

// sameAction compares API action names across naming styles:
// enableEbsEncryptionByDefault, EnableEbsEncryptionByDefault and
// enable_ebs_encryption_by_default are one action.
func sameAction(a, b string) bool {
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }
	return norm(a) == norm(b)
}

// CustomCall is a custom resource with the SDK call it makes on create.
type CustomCall struct {
	Res
	Call SDKCall
}

// SDKCalls returns the stack's custom resources that make the given SDK
// action on create.
func (s *Stack) SDKCalls(action string) []CustomCall {
	var out []CustomCall
	for _, r := range s.All() {
		if !strings.HasPrefix(r.Type, "Custom::") && r.Type != "AWS::CloudFormation::CustomResource" {
			continue
		}
		c, ok := ReadCall(r.Properties["Create"])
		if !ok || !sameAction(c.Action, action) {
			continue
		}
		out = append(out, CustomCall{r, c})
	}
	return out
}
