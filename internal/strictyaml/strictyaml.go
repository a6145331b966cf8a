// Package strictyaml is the one strict YAML decoder of this repository: the
// config file, the alarm catalog, the global-controls table, the regional
// limits, the IAM data files and the cost assumptions all go through it, so
// they all report problems the same way.
//
// Strict means: unknown keys, duplicate keys, wrong types, empty values
// (null) and merge keys are errors. Unlike yaml.Unmarshal it does not stop
// at the first problem: it records every problem with its line and field
// path, keeps going, and reports all of them at once, in line order, each as
// "file:line: path: message". An unknown key names the closest known key
// ("did you mean") or lists the known keys.
//
// Decoding onto a value that already holds data only replaces the fields the
// YAML sets: a list replaces the whole list, a mapping merges key by key.
// The config uses this to layer its defaults and per-account overrides.
//
// After decoding, the caller checks values with Problemf, which places each
// problem on the line of the field it names, so that decoding and
// validation problems come out in one list.
package strictyaml

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Error is one problem in a YAML file.
type Error struct {
	Source string
	Line   int // 0 when the value has no line (a default, or a missing key)
	Path   string
	Msg    string
}

func (e Error) Error() string {
	where := e.Source
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.Source, e.Line)
	}
	if e.Path == "" {
		return where + ": " + e.Msg
	}
	return where + ": " + e.Path + ": " + e.Msg
}

// Errors are all the problems found in one file, one per line of text.
type Errors []Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Sort orders the problems by line, keeping the order of problems on the
// same line; problems without a line come last.
func (es Errors) Sort() {
	key := func(e Error) int {
		if e.Line == 0 {
			return int(^uint(0) >> 1)
		}
		return e.Line
	}
	sort.SliceStable(es, func(i, j int) bool { return key(es[i]) < key(es[j]) })
}

// Parse parses data as exactly one YAML document and returns its body.
// Duplicate keys are left for the decoder, which reports all of them rather
// than the parser's first.
func Parse(data []byte, source string) (ast.Node, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, Errors{{Source: source, Msg: "the file is empty"}}
	}
	file, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		var syn *yaml.SyntaxError
		if errors.As(err, &syn) && syn.Token != nil && syn.Token.Position != nil {
			return nil, Errors{{Source: source, Line: syn.Token.Position.Line, Msg: "yaml: " + syn.Message}}
		}
		return nil, Errors{{Source: source, Msg: "yaml: " + err.Error()}}
	}
	if len(file.Docs) != 1 {
		return nil, Errors{{Source: source, Msg: fmt.Sprintf("expected one YAML document, found %d", len(file.Docs))}}
	}
	if file.Docs[0].Body == nil {
		return nil, Errors{{Source: source, Msg: "the file is empty"}}
	}
	return file.Docs[0].Body, nil
}

// Decoder fills Go values from a parsed YAML tree and collects problems.
// Struct fields are matched by their yaml tag; a field tagged `yaml:"-"` or
// unexported is not decoded, and `yaml:",inline"` flattens a struct.
// Supported kinds: struct, slice, map with string keys, pointer, string,
// bool, int, float64.
type Decoder struct {
	source  string
	errs    Errors
	failed  []string       // paths of the values the decoder rejected
	broken  bool           // the document did not parse; nothing was decoded
	lines   map[string]int // field path -> line, for every value the YAML set
	anchors map[string]ast.Node
}

// NewDecoder returns a decoder whose problems name source.
func NewDecoder(source string) *Decoder {
	return &Decoder{source: source, lines: map[string]int{}, anchors: map[string]ast.Node{}}
}

// Unmarshal parses data and decodes the whole document onto v, a pointer.
// The returned decoder holds the problems found so far; add the caller's
// own checks with Problemf and finish with Err.
func Unmarshal(data []byte, source string, v any) *Decoder {
	d := NewDecoder(source)
	root, err := Parse(data, source)
	if err != nil {
		d.broken = true
		d.errs = append(d.errs, err.(Errors)...)
		return d
	}
	d.Decode(root, reflect.ValueOf(v).Elem(), "")
	return d
}

// Source is the file name the decoder's problems carry.
func (d *Decoder) Source() string { return d.source }

// Errorf records a problem at the line of node n.
func (d *Decoder) Errorf(n ast.Node, path, format string, args ...any) {
	d.failed = append(d.failed, path)
	d.errs = append(d.errs, Error{Source: d.source, Line: Line(n), Path: path, Msg: fmt.Sprintf(format, args...)})
}

// Problemf records a problem found by checking a decoded value, at the line
// of the value at path, or else of the nearest enclosing value the YAML set.
// It records nothing when the document did not parse, or when the decoder
// already rejected the value at path or one containing it: that problem is
// the one to fix first.
func (d *Decoder) Problemf(path, format string, args ...any) {
	if d.broken || d.Failed(path) {
		return
	}
	d.errs = append(d.errs, Error{Source: d.source, Line: d.lineOf(path), Path: path, Msg: fmt.Sprintf(format, args...)})
}

// lineOf is the line of path or of its nearest ancestor that has one.
func (d *Decoder) lineOf(path string) int {
	for p := path; p != ""; p = parent(p) {
		if l, ok := d.lines[p]; ok {
			return l
		}
	}
	return d.lines[""]
}

// parent strips the last ".key" or "[i]" from a path.
func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// Has reports whether the YAML set a value at path.
func (d *Decoder) Has(path string) bool {
	_, ok := d.lines[path]
	return ok
}

// Line is the line of the value at path, and whether the YAML set one.
func (d *Decoder) Line(path string) (int, bool) {
	l, ok := d.lines[path]
	return l, ok
}

// SetLine records that the value at path is on n's line.
func (d *Decoder) SetLine(path string, n ast.Node) { d.lines[path] = Line(n) }

// Failed reports whether the decoder (not a Problemf check) rejected the
// value at path or at a field that contains it.
func (d *Decoder) Failed(path string) bool {
	for _, f := range d.failed {
		if f == path || strings.HasPrefix(path, f+".") || strings.HasPrefix(path, f+"[") {
			return true
		}
	}
	return false
}

// Clean reports whether no problem is recorded at path, inside the value
// at path, or at a value that contains it. Checks that combine several
// fields of one value run only on clean values, so that a wrong type is
// reported once, not again as every rule it then breaks.
func (d *Decoder) Clean(path string) bool {
	if d.broken || d.Failed(path) {
		return false
	}
	for _, f := range d.failed {
		if strings.HasPrefix(f, path+".") || strings.HasPrefix(f, path+"[") {
			return false
		}
	}
	return true
}

// Errors returns the problems recorded so far, in line order.
func (d *Decoder) Errors() Errors {
	es := append(Errors(nil), d.errs...)
	es.Sort()
	return es
}

// Err returns the problems, in line order, as Errors, or nil if there are
// none.
func (d *Decoder) Err() error {
	if len(d.errs) == 0 {
		return nil
	}
	return d.Errors()
}

// Line is the line of node n, or 0 if it has none.
func Line(n ast.Node) int {
	if n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

// Resolve unwraps anchors, aliases and tags down to the node that holds the
// value. An alias must refer to an anchor defined above it.
func (d *Decoder) Resolve(n ast.Node, path string) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.AnchorNode:
			d.anchors[v.Name.String()] = v.Value
			n = v.Value
		case *ast.AliasNode:
			target, ok := d.anchors[v.Value.String()]
			if !ok {
				d.Errorf(v, path, "alias *%s refers to no anchor defined above it", v.Value.String())
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

// Decode sets v from n. v must be settable.
func (d *Decoder) Decode(n ast.Node, v reflect.Value, path string) {
	n = d.Resolve(n, path)
	if n == nil {
		return
	}
	if _, ok := n.(*ast.NullNode); ok {
		d.Errorf(n, path, "has no value; give one or remove the key")
		return
	}
	d.lines[path] = Line(n)
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.Decode(n, v.Elem(), path)
	case reflect.Struct:
		m, ok := n.(*ast.MappingNode)
		if !ok {
			d.Errorf(n, path, "must be a mapping of keys to values, got %s", Describe(n))
			return
		}
		d.DecodeMapping(m, v, path, nil)
	case reflect.Map:
		m, ok := n.(*ast.MappingNode)
		if !ok {
			d.Errorf(n, path, "must be a mapping of keys to values, got %s", Describe(n))
			return
		}
		d.decodeMap(m, v, path)
	case reflect.Slice:
		s, ok := n.(*ast.SequenceNode)
		if !ok {
			d.Errorf(n, path, "must be a list, got %s; write [%s] for a list of one", Describe(n), n.String())
			return
		}
		out := reflect.MakeSlice(v.Type(), len(s.Values), len(s.Values))
		for i, item := range s.Values {
			d.Decode(item, out.Index(i), fmt.Sprintf("%s[%d]", path, i))
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
			d.Errorf(n, path, "must be a quoted string, got the number %s (YAML reads unquoted digits as a number and drops leading zeros); write \"%s\"", origin, origin)
		case *ast.MappingNode:
			// Inside [ ], the YAML parser reads AWS::EC2::Instance as a
			// one-entry mapping, not as the string it looks like.
			if len(s.Values) == 1 && s.Values[0].Key.GetToken() != nil && s.Values[0].Value.GetToken() != nil {
				text := s.Values[0].Key.GetToken().Value + ":" + s.Values[0].Value.GetToken().Value
				d.Errorf(n, path, "must be a string, got a mapping; inside [ ], quote a value with colons (\"%s\") or list it on its own line", text)
			} else {
				d.Errorf(n, path, "must be a string, got %s", Describe(n))
			}
		default:
			d.Errorf(n, path, "must be a string, got %s", Describe(n))
		}
	case reflect.Bool:
		b, ok := n.(*ast.BoolNode)
		if !ok {
			d.Errorf(n, path, "must be true or false, got %s", Describe(n))
			return
		}
		v.SetBool(b.Value)
	case reflect.Int:
		i, ok := n.(*ast.IntegerNode)
		if !ok {
			d.Errorf(n, path, "must be a whole number, got %s", Describe(n))
			return
		}
		var x int64
		fits := true
		switch val := i.Value.(type) {
		case int64:
			x = val
		case uint64:
			x, fits = int64(val), val <= math.MaxInt64
		}
		if !fits || v.OverflowInt(x) {
			d.Errorf(n, path, "must be a whole number from %d to %d, got %s", math.MinInt64, math.MaxInt64, n.GetToken().Value)
			return
		}
		v.SetInt(x)
	case reflect.Float64:
		switch x := n.(type) {
		case *ast.IntegerNode:
			switch val := x.Value.(type) {
			case int64:
				v.SetFloat(float64(val))
			case uint64:
				v.SetFloat(float64(val))
			}
		case *ast.FloatNode:
			v.SetFloat(x.Value)
		default:
			d.Errorf(n, path, "must be a number, got %s", Describe(n))
		}
	default:
		panic(fmt.Sprintf("strictyaml: field %s has unsupported Go kind %s", path, v.Kind()))
	}
}

// DecodeMapping decodes m onto the struct v. Keys in skip are left for the
// caller and not reported as unknown.
func (d *Decoder) DecodeMapping(m *ast.MappingNode, v reflect.Value, path string, skip map[string]bool) {
	fields := yamlFields(v.Type())
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	d.eachKey(m, path, func(key, child string, kv *ast.MappingValueNode) {
		if skip[key] {
			return
		}
		index, ok := fields[key]
		if !ok {
			d.Errorf(kv.Key, child, "unknown key%s", Suggest(key, known))
			return
		}
		d.Decode(kv.Value, v.FieldByIndex(index), child)
	})
}

// decodeMap decodes m onto a map with string keys, one entry per key.
func (d *Decoder) decodeMap(m *ast.MappingNode, v reflect.Value, path string) {
	if v.Type().Key().Kind() != reflect.String {
		panic(fmt.Sprintf("strictyaml: field %s is a map whose keys are not strings", path))
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	d.eachKey(m, path, func(key, child string, kv *ast.MappingValueNode) {
		elem := reflect.New(v.Type().Elem()).Elem()
		if old := v.MapIndex(reflect.ValueOf(key).Convert(v.Type().Key())); old.IsValid() {
			elem.Set(old)
		}
		d.Decode(kv.Value, elem, child)
		v.SetMapIndex(reflect.ValueOf(key).Convert(v.Type().Key()), elem)
	})
}

// eachKey calls f for every key of m once, reporting merge keys and
// duplicate keys.
func (d *Decoder) eachKey(m *ast.MappingNode, path string, f func(key, child string, kv *ast.MappingValueNode)) {
	seen := map[string]int{}
	for _, kv := range m.Values {
		if _, ok := kv.Key.(*ast.MergeKeyNode); ok {
			d.Errorf(kv, path, "merge keys (<<) are not supported; repeat the keys")
			continue
		}
		key := kv.Key.GetToken().Value
		child := JoinPath(path, key)
		if first, dup := seen[key]; dup {
			d.Errorf(kv.Key, child, "duplicate key (first set on line %d); remove one of them", first)
			continue
		}
		seen[key] = Line(kv.Key)
		f(key, child, kv)
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
			panic(fmt.Sprintf("strictyaml: field %s.%s has no yaml tag", t.Name(), f.Name))
		}
		out[name] = []int{i}
	}
	return out
}

// JoinPath appends a key to a field path.
func JoinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Describe names a node's value for messages: "a mapping", "the number 3".
func Describe(n ast.Node) string {
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

// Suggest is the tail of an "unknown" message: the closest of known when
// name looks like a typo of it (`; did you mean "x"?`), else the list of
// known names.
func Suggest(name string, known []string) string {
	known = append([]string(nil), known...)
	sort.Strings(known)
	if best := Closest(name, known, 2); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return "; expected one of " + strings.Join(known, ", ")
}

// Closest is the name of known within the given number of edits of name
// (ignoring case), the first of the closest in known's order; "" if none is
// that close.
func Closest(name string, known []string, within int) string {
	best, bestDist := "", within+1
	for _, k := range known {
		if dist := editDistance(strings.ToLower(name), strings.ToLower(k)); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	return best
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
