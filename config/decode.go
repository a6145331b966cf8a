package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// decoder fills Go structs from a parsed YAML tree, strictly: unknown keys,
// duplicate keys and wrong types are errors. Unlike a plain yaml.Unmarshal it
// does not stop at the first problem: it records every error with its field
// path and line, and keeps going, so that one run reports all of them.
//
// Decoding onto a value that already holds data only replaces the fields the
// YAML sets. That is how defaults and per-account overrides layer: decode the
// defaults, then the file's top level, then an account entry, onto the same
// value. A list replaces the whole list; a mapping merges key by key.
type decoder struct {
	source  string
	errs    []FieldError
	lines   map[string]int // field path -> line, for every value the YAML set
	anchors map[string]ast.Node
}

func newDecoder(source string) *decoder {
	return &decoder{source: source, lines: map[string]int{}, anchors: map[string]ast.Node{}}
}

func (d *decoder) errorf(n ast.Node, path, format string, args ...any) {
	d.errs = append(d.errs, FieldError{Source: d.source, Line: line(n), Path: path, Msg: fmt.Sprintf(format, args...)})
}

// failed reports whether the decoder rejected the value at path or at a
// field that contains it.
func (d *decoder) failed(path string) bool {
	for _, e := range d.errs {
		if e.Path == path || strings.HasPrefix(path, e.Path+".") || strings.HasPrefix(path, e.Path+"[") {
			return true
		}
	}
	return false
}

func line(n ast.Node) int {
	if n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

// resolve unwraps anchors, aliases and tags down to the node that holds the value.
func (d *decoder) resolve(n ast.Node, path string) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.AnchorNode:
			d.anchors[v.Name.String()] = v.Value
			n = v.Value
		case *ast.AliasNode:
			target, ok := d.anchors[v.Value.String()]
			if !ok {
				d.errorf(v, path, "alias *%s refers to no anchor defined above it", v.Value.String())
				return nil
			}
			n = target
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
}

// decode sets v from n. v must be addressable.
func (d *decoder) decode(n ast.Node, v reflect.Value, path string) {
	n = d.resolve(n, path)
	if n == nil {
		return
	}
	if _, ok := n.(*ast.NullNode); ok {
		d.errorf(n, path, "has no value; give one or remove the key")
		return
	}
	d.lines[path] = line(n)
	switch v.Kind() {
	case reflect.Struct:
		m, ok := n.(*ast.MappingNode)
		if !ok {
			d.errorf(n, path, "must be a mapping of keys to values, got %s", describe(n))
			return
		}
		d.decodeMapping(m, v, path, nil)
	case reflect.Slice:
		s, ok := n.(*ast.SequenceNode)
		if !ok {
			d.errorf(n, path, "must be a list, got %s; write [%s] for a list of one", describe(n), n.String())
			return
		}
		out := reflect.MakeSlice(v.Type(), len(s.Values), len(s.Values))
		for i, item := range s.Values {
			d.decode(item, out.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(out)
	case reflect.String:
		switch s := n.(type) {
		case *ast.StringNode:
			v.SetString(s.Value)
		case *ast.LiteralNode:
			v.SetString(s.Value.Value)
		case *ast.IntegerNode, *ast.FloatNode:
			origin := strings.TrimSpace(n.GetToken().Value)
			d.errorf(n, path, "must be a quoted string, got the number %s (YAML reads unquoted digits as a number and drops leading zeros); write \"%s\"", origin, origin)
		case *ast.MappingNode:
			// Inside [ ], the YAML parser reads AWS::EC2::Instance as a
			// one-entry mapping, not as the string it looks like.
			if len(s.Values) == 1 && s.Values[0].Key.GetToken() != nil && s.Values[0].Value.GetToken() != nil {
				text := s.Values[0].Key.GetToken().Value + ":" + s.Values[0].Value.GetToken().Value
				d.errorf(n, path, "must be a string, got a mapping; inside [ ], quote a value with colons (\"%s\") or list it on its own line", text)
			} else {
				d.errorf(n, path, "must be a string, got %s", describe(n))
			}
		default:
			d.errorf(n, path, "must be a string, got %s", describe(n))
		}
	case reflect.Bool:
		b, ok := n.(*ast.BoolNode)
		if !ok {
			d.errorf(n, path, "must be true or false, got %s", describe(n))
			return
		}
		v.SetBool(b.Value)
	case reflect.Int:
		i, ok := n.(*ast.IntegerNode)
		if !ok {
			d.errorf(n, path, "must be a whole number, got %s", describe(n))
			return
		}
		switch x := i.Value.(type) {
		case int64:
			v.SetInt(x)
		case uint64:
			v.SetInt(int64(x))
		}
	case reflect.Float64:
		switch x := n.(type) {
		case *ast.IntegerNode:
			f, _ := toFloat(x.Value)
			v.SetFloat(f)
		case *ast.FloatNode:
			v.SetFloat(x.Value)
		default:
			d.errorf(n, path, "must be a number, got %s", describe(n))
		}
	default:
		panic(fmt.Sprintf("config: field %s has unsupported Go kind %s", path, v.Kind()))
	}
}

// decodeMapping decodes m onto the struct v. Keys in skip are left for the
// caller and not reported as unknown.
func (d *decoder) decodeMapping(m *ast.MappingNode, v reflect.Value, path string, skip map[string]bool) {
	fields := yamlFields(v.Type())
	seen := map[string]int{}
	for _, kv := range m.Values {
		if _, ok := kv.Key.(*ast.MergeKeyNode); ok {
			d.errorf(kv, path, "merge keys (<<) are not supported; repeat the keys, or put the difference in a per-account override")
			continue
		}
		key := kv.Key.GetToken().Value
		child := joinPath(path, key)
		if first, dup := seen[key]; dup {
			d.errorf(kv.Key, child, "duplicate key (first set on line %d); remove one of them", first)
			continue
		}
		seen[key] = line(kv.Key)
		if skip[key] {
			continue
		}
		index, ok := fields[key]
		if !ok {
			d.errorf(kv.Key, child, "unknown key%s", suggest(key, fields))
			continue
		}
		d.decode(kv.Value, v.FieldByIndex(index), child)
	}
}

// yamlFields maps each yaml key of struct type t to its field index,
// flattening fields tagged `yaml:",inline"`.
func yamlFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if opts == "inline" {
			for k, idx := range yamlFields(f.Type) {
				out[k] = append([]int{i}, idx...)
			}
			continue
		}
		if name == "" {
			panic(fmt.Sprintf("config: field %s.%s has no yaml tag", t.Name(), f.Name))
		}
		out[name] = []int{i}
	}
	return out
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func describe(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.IntegerNode, *ast.FloatNode:
		return "the number " + n.GetToken().Value
	case *ast.BoolNode:
		return "the boolean " + n.GetToken().Value
	case *ast.StringNode, *ast.LiteralNode:
		return fmt.Sprintf("the string %q", n.GetToken().Value)
	}
	return n.Type().String()
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// suggest names the closest known key when the unknown one looks like a typo,
// else lists the known keys.
func suggest(key string, fields map[string][]int) string {
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	sort.Strings(known)
	best, bestDist := "", 3
	for _, k := range known {
		if dist := editDistance(strings.ToLower(key), strings.ToLower(k)); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	if best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return "; expected one of " + strings.Join(known, ", ")
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
