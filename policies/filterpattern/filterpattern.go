// Package filterpattern parses Amazon CloudWatch Logs JSON filter patterns
// (the "{ ... }" patterns of metric filters and subscription filters) and
// evaluates them against JSON log events offline, for example to prove that a
// security alarm's metric filter fires on a given CloudTrail record.
//
// The syntax and semantics follow the CloudWatch Logs User Guide, "Filter
// pattern syntax for metric filters, subscription filters, filter log events,
// and Live Tail", section "Using filter patterns to match terms in JSON log
// events":
//
//	https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
//	https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html
//
// Supported, as documented:
//   - selectors: $.a.b, array indices $.a[0].b and $.a[0][1], the bracket
//     notation $.['cluster.name'] for keys with special characters, and the
//     wildcard selectors $.* and $.a[*] (at most one per selector and three
//     per pattern, the documented quotas);
//   - = and != with quoted or unquoted strings, * wildcards and %regex%
//     (at most two regexes per pattern, restricted to the documented subset);
//   - =, !=, <, >, <=, >= with numbers (sign, decimals, exponent notation);
//   - IS NULL, IS TRUE, IS FALSE and NOT EXISTS ("IS NOT" and "EXISTS" are
//     documented as unsupported and rejected);
//   - && and || with parentheses; && binds tighter than || ("() > && > ||");
//   - patterns of at most 1024 characters (the PutMetricFilter limit).
//
// Decisions where the documentation is silent or ambiguous:
//
//  1. A comparison (=, !=, <, ...) only ever matches a value node, that is a
//     JSON string or number. On a missing field, null, a boolean, an array or
//     an object, both = and != are false. The guide says a selector pointing
//     to an array or object "won't match" (the older guide: "both {$.users = 1}
//     and {$.users != 1} will fail to match"), and a test in the CloudWatch
//     console reported in https://github.com/DataBiosphere/azul/issues/5884
//     shows that {($.errorCode = "AccessDenied") &&
//     ($.userIdentity.invokedBy != "cloudfront.amazonaws.com")} does not match
//     a record without userIdentity.invokedBy. Consequence for CIS patterns:
//     $.additionalEventData.MFAUsed != "Yes" does NOT fire for a ConsoleLogin
//     record that lacks MFAUsed, and $.eventType != "AwsServiceEvent" needs
//     eventType to be present (CloudTrail always sets it).
//  2. A string pattern (quoted, or unquoted and not a number) compared with a
//     JSON number is matched against the number's text ("4*" matches 404; the
//     guide says "use the asterisk as a wild card to match numbers"). Match
//     keeps the event's original number text; MatchValue on float64 uses the
//     shortest decimal form (strconv 'f', -1), so 1e3 reads as "1000".
//  3. A number pattern compared with a JSON number compares numerically
//     (float64), so 1e+3 equals 1000. With = and != against a JSON string it
//     compares the pattern's text with the string exactly, so
//     $.recipientAccountId = 123456789012 matches the CloudTrail string
//     "123456789012" (a use case the older guide lists). <, >, <= and >=
//     never match a string.
//  4. * is a wildcard anywhere in a quoted or unquoted string (prefix, suffix,
//     middle; CIS uses "*UnauthorizedOperation" and "AccessDenied*"). The
//     current guide says only "use the asterisk as a wild card to match text";
//     an older version said that Ev*ent "will only match the actual string
//     Ev*ent", so a middle * is the least certain point of this package.
//     Inside quotes, \* is a literal asterisk, \" a quote and \\ a backslash;
//     any other backslash is kept as is.
//  5. Regexes (%...%) search anywhere in the value (the guide's %Trail%
//     matches "UpdateTrail"), are case-sensitive, and may only contain the
//     documented characters (letters, digits, space, : _ # = @ / ; , - and the
//     operators ^ $ ? [ ] { } | \ * + .); {,n} means {0,n}.
//  6. Wildcard selectors follow JSONPath: .* and [*] select every element of
//     an array and every field of an object, and a condition holds when it
//     holds for at least one selected node (the guide: "find arrays containing
//     values matching"). NOT EXISTS holds when nothing is selected.
//  7. IS NULL, IS TRUE and IS FALSE need the field to be present and to be the
//     JSON literal null, true or false; the string "true" is not TRUE. NOT
//     EXISTS is true when any step of the path is absent, including an index
//     out of range or a step through a scalar.
//  8. Keywords (IS, NOT, EXISTS, NULL, TRUE, FALSE) must be upper-case, as in
//     the guide. Unquoted strings may contain letters, digits, _ - . + and *;
//     anything else must be quoted (the guide: strings with other characters
//     "must be placed in double quotation marks"). Selector names may contain
//     letters, digits, - and _, otherwise use the bracket notation.
//  9. Whitespace (space, tab, CR, LF) is allowed around every token and
//     around the braces, but not inside a selector or an operator.
//  10. The event must be a JSON object; any other JSON value never matches.
//
// Not supported: the text, term and space-delimited ("[a, b, ...]") pattern
// forms, which Parse rejects.
package filterpattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Documented quotas.
const (
	maxPatternLen       = 1024 // PutMetricFilter filterPattern length
	maxSelectorWildcard = 1    // wildcard selectors in one property selector
	maxPatternWildcards = 3    // wildcard selectors in one filter pattern
	maxPatternRegexes   = 2    // regexes in one JSON filter pattern
)

// Pattern is a compiled JSON filter pattern. It is safe for concurrent use.
type Pattern struct {
	src  string
	root node
}

// SyntaxError reports why and where Parse rejected a pattern.
type SyntaxError struct {
	Offset int    // byte offset in the pattern; the column is Offset+1
	Msg    string // what was expected or is not supported
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("filter pattern: column %d: %s", e.Offset+1, e.Msg)
}

// Parse compiles a CloudWatch Logs JSON filter pattern.
func Parse(pattern string) (*Pattern, error) {
	if utf8.RuneCountInString(pattern) > maxPatternLen {
		off, n := 0, 0
		for off = range pattern {
			if n == maxPatternLen {
				break
			}
			n++
		}
		return nil, &SyntaxError{off, fmt.Sprintf("pattern is longer than %d characters", maxPatternLen)}
	}
	p := &parser{src: pattern}
	root, err := p.parse()
	if err != nil {
		return nil, err
	}
	return &Pattern{src: pattern, root: root}, nil
}

// String returns the pattern's original text.
func (p *Pattern) String() string { return p.src }

// Match reports whether the JSON log event matches. It returns an error only
// when the event is not valid JSON.
func (p *Pattern) Match(event []byte) (bool, error) {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	if err == nil {
		if _, err2 := dec.Token(); err2 != io.EOF {
			err = errors.New("unexpected data after the JSON value")
		}
	}
	if err != nil {
		return false, fmt.Errorf("filter pattern: event is not valid JSON: %w", err)
	}
	return p.MatchValue(v), nil
}

// MatchValue is Match on an already decoded event, as produced by
// encoding/json with or without UseNumber.
func (p *Pattern) MatchValue(event any) bool {
	if _, ok := event.(map[string]any); !ok {
		return false
	}
	return p.root.eval(event)
}

// ---- evaluation ----

type node interface{ eval(root any) bool }

type binary struct {
	and  bool
	l, r node
}

func (b *binary) eval(v any) bool {
	if b.and {
		return b.l.eval(v) && b.r.eval(v)
	}
	return b.l.eval(v) || b.r.eval(v)
}

type op int

const (
	opEq op = iota
	opNe
	opLt
	opLe
	opGt
	opGe
	opIsNull
	opIsTrue
	opIsFalse
	opNotExists
)

type kind int

const (
	kindString kind = iota // glob
	kindNumber
	kindRegex
)

// step is one selector step: a key, an array index, or a wildcard.
type step struct {
	key   string
	index int // >= 0 for an array index, -1 otherwise
	wild  bool
}

type condition struct {
	sel  []step
	op   op
	kind kind
	glob []string // kindString: literal parts between * wildcards
	text string   // kindNumber: the literal as written
	num  float64  // kindNumber
	re   *regexp.Regexp
}

func (c *condition) eval(root any) bool {
	nodes := selectNodes(root, c.sel)
	if c.op == opNotExists {
		return len(nodes) == 0
	}
	for _, n := range nodes {
		if c.test(n) {
			return true
		}
	}
	return false
}

func (c *condition) test(n any) bool {
	switch c.op {
	case opIsNull:
		return n == nil
	case opIsTrue:
		return n == true
	case opIsFalse:
		return n == false
	}
	text, num, isNum, ok := scalar(n)
	if !ok {
		return false // only strings and numbers are value nodes
	}
	switch c.op {
	case opEq:
		return c.equal(text, num, isNum)
	case opNe:
		return !c.equal(text, num, isNum)
	}
	if !isNum {
		return false
	}
	switch c.op {
	case opLt:
		return num < c.num
	case opLe:
		return num <= c.num
	case opGt:
		return num > c.num
	default:
		return num >= c.num
	}
}

func (c *condition) equal(text string, num float64, isNum bool) bool {
	switch c.kind {
	case kindNumber:
		if isNum {
			return num == c.num
		}
		return text == c.text
	case kindRegex:
		return c.re.MatchString(text)
	default:
		return globMatch(c.glob, text)
	}
}

// scalar returns the text and, for numbers, the value of a value node.
func scalar(v any) (text string, num float64, isNum, ok bool) {
	switch t := v.(type) {
	case string:
		return t, 0, false, true
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return string(t), 0, false, true
		}
		return string(t), f, true, true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), t, true, true
	case int:
		return strconv.Itoa(t), float64(t), true, true
	case int64:
		return strconv.FormatInt(t, 10), float64(t), true, true
	}
	return "", 0, false, false
}

// globMatch matches s against literal parts separated by * wildcards.
func globMatch(parts []string, s string) bool {
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s = s[i+len(part):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

func selectNodes(root any, steps []step) []any {
	cur := []any{root}
	for _, s := range steps {
		var next []any
		for _, v := range cur {
			switch t := v.(type) {
			case map[string]any:
				if s.wild {
					for _, x := range t {
						next = append(next, x)
					}
				} else if x, ok := t[s.key]; ok && s.index < 0 {
					next = append(next, x)
				}
			case []any:
				if s.wild {
					next = append(next, t...)
				} else if s.index >= 0 && s.index < len(t) {
					next = append(next, t[s.index])
				}
			}
		}
		if cur = next; len(cur) == 0 {
			break
		}
	}
	return cur
}

// ---- parsing ----

type parser struct {
	src       string
	pos       int
	wildcards int
	regexes   int
}

func (p *parser) errAt(off int, format string, args ...any) error {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// expected reports what was expected at the current position and what was found.
func (p *parser) expected(what string) error {
	return p.errAt(p.pos, "expected %s, found %s", what, p.found())
}

func (p *parser) found() string {
	if p.pos >= len(p.src) {
		return "end of pattern"
	}
	if w := p.peekWord(); w != "" {
		return strconv.Quote(w)
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return strconv.Quote(string(r))
}

func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *parser) eat(s string) bool {
	if strings.HasPrefix(p.src[p.pos:], s) {
		p.pos += len(s)
		return true
	}
	return false
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func (p *parser) peekWord() string {
	end := p.pos
	for end < len(p.src) && isWordByte(p.src[end]) {
		end++
	}
	return p.src[p.pos:end]
}

func (p *parser) parse() (node, error) {
	p.skipSpace()
	if !p.eat("{") {
		return nil, p.errAt(p.pos, `expected "{": only JSON filter patterns such as { $.eventName = "ConsoleLogin" } are supported`)
	}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.eat("}") {
		return nil, p.expected(`"&&", "||" or "}"`)
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, p.errAt(p.pos, `unexpected %s after the closing "}"`, p.found())
	}
	return n, nil
}

func (p *parser) parseOr() (node, error) {
	l, err := p.parseAnd()
	for err == nil {
		p.skipSpace()
		if !p.eat("||") {
			return l, nil
		}
		var r node
		if r, err = p.parseAnd(); err == nil {
			l = &binary{and: false, l: l, r: r}
		}
	}
	return nil, err
}

func (p *parser) parseAnd() (node, error) {
	l, err := p.parsePrimary()
	for err == nil {
		p.skipSpace()
		if !p.eat("&&") {
			return l, nil
		}
		var r node
		if r, err = p.parsePrimary(); err == nil {
			l = &binary{and: true, l: l, r: r}
		}
	}
	return nil, err
}

func (p *parser) parsePrimary() (node, error) {
	p.skipSpace()
	if p.eat("(") {
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if !p.eat(")") {
			return nil, p.expected(`"&&", "||" or ")"`)
		}
		return n, nil
	}
	if p.peek() == '$' {
		return p.parseCondition()
	}
	return nil, p.expected(`a selector such as $.eventName, or "("`)
}

func (p *parser) parseCondition() (node, error) {
	start := p.pos
	sel, err := p.parseSelector()
	if err != nil {
		return nil, err
	}
	c := &condition{sel: sel}
	selText := p.src[start:p.pos]
	p.skipSpace()
	opPos := p.pos
	switch {
	case p.eat("!="):
		c.op = opNe
	case p.eat("<="):
		c.op = opLe
	case p.eat(">="):
		c.op = opGe
	case p.eat("<"):
		c.op = opLt
	case p.eat(">"):
		c.op = opGt
	case p.eat("="):
		c.op = opEq
	default:
		if err := p.parseKeywords(c, selText); err != nil {
			return nil, err
		}
		return c, nil
	}
	opText := p.src[opPos:p.pos]
	p.skipSpace()
	if err := p.parseValue(c, opText); err != nil {
		return nil, err
	}
	return c, nil
}

// parseKeywords parses IS NULL, IS TRUE, IS FALSE and NOT EXISTS.
func (p *parser) parseKeywords(c *condition, selText string) error {
	pos := p.pos
	switch w := p.peekWord(); w {
	case "IS":
		p.pos += len(w)
		p.skipSpace()
		switch w2 := p.peekWord(); w2 {
		case "NULL", "TRUE", "FALSE":
			p.pos += len(w2)
			c.op = map[string]op{"NULL": opIsNull, "TRUE": opIsTrue, "FALSE": opIsFalse}[w2]
			return nil
		case "NOT":
			return p.errAt(pos, `"IS NOT" is not supported (use != or NOT EXISTS)`)
		}
		return p.expected("NULL, TRUE or FALSE after IS")
	case "NOT":
		p.pos += len(w)
		p.skipSpace()
		if p.peekWord() != "EXISTS" {
			return p.expected("EXISTS after NOT")
		}
		p.pos += len("EXISTS")
		c.op = opNotExists
		return nil
	case "EXISTS":
		return p.errAt(pos, `"EXISTS" is not supported (only NOT EXISTS is)`)
	default:
		for _, kw := range []string{"IS", "NOT"} {
			if strings.EqualFold(w, kw) {
				return p.errAt(pos, "keywords are case-sensitive: expected %s, found %q", kw, w)
			}
		}
	}
	return p.errAt(pos, `expected "=", "!=", "<", "<=", ">", ">=", IS or NOT EXISTS after %s, found %s`, selText, p.found())
}

func (p *parser) parseSelector() ([]step, error) {
	start := p.pos
	p.pos++ // '$'
	var steps []step
	wild := 0
	for {
		switch p.peek() {
		case '.':
			p.pos++
			switch c := p.peek(); {
			case c == '*':
				p.pos++
				steps = append(steps, step{index: -1, wild: true})
				wild++
			case c == '[':
				// $.['key'] is the documented bracket notation.
			default:
				end := p.pos
				for end < len(p.src) && (isWordByte(p.src[end]) || p.src[end] == '-') {
					end++
				}
				if end == p.pos {
					return nil, p.expected(`a property name, "*" or "[" after "."`)
				}
				steps = append(steps, step{key: p.src[p.pos:end], index: -1})
				p.pos = end
			}
		case '[':
			p.pos++
			s, err := p.parseBracket()
			if err != nil {
				return nil, err
			}
			if s.index >= 0 && len(steps) == 0 {
				return nil, p.errAt(start+1, `an array index must follow a property, as in $.users[0]`)
			}
			if s.wild {
				wild++
			}
			steps = append(steps, s)
		default:
			if len(steps) == 0 {
				return nil, p.expected(`"." after "$"`)
			}
			if wild > maxSelectorWildcard {
				return nil, p.errAt(start, "selector %s has %d wildcards; at most %d is allowed", p.src[start:p.pos], wild, maxSelectorWildcard)
			}
			if p.wildcards += wild; p.wildcards > maxPatternWildcards {
				return nil, p.errAt(start, "too many wildcard selectors: at most %d are allowed in a pattern", maxPatternWildcards)
			}
			return steps, nil
		}
	}
}

// parseBracket parses what follows "[": an index, "*" or a quoted key, and "]".
func (p *parser) parseBracket() (step, error) {
	s := step{index: -1}
	switch c := p.peek(); {
	case c == '*':
		p.pos++
		s.wild = true
	case c == '\'' || c == '"':
		open := p.pos
		var b strings.Builder
		for p.pos++; ; p.pos++ {
			if p.pos >= len(p.src) {
				return s, p.errAt(open, "unterminated quoted property name")
			}
			ch := p.src[p.pos]
			if ch == c {
				p.pos++
				break
			}
			if ch == '\\' && p.pos+1 < len(p.src) {
				p.pos++
				ch = p.src[p.pos]
			}
			b.WriteByte(ch)
		}
		s.key = b.String()
	case c >= '0' && c <= '9':
		end := p.pos
		for end < len(p.src) && p.src[end] >= '0' && p.src[end] <= '9' {
			end++
		}
		n, err := strconv.Atoi(p.src[p.pos:end])
		if err != nil {
			return s, p.errAt(p.pos, "array index %s is out of range", p.src[p.pos:end])
		}
		s.index, p.pos = n, end
	default:
		return s, p.expected(`an array index, "*" or a quoted property name after "["`)
	}
	if !p.eat("]") {
		return s, p.expected(`"]"`)
	}
	return s, nil
}

func (p *parser) parseValue(c *condition, opText string) error {
	start := p.pos
	relational := c.op != opEq && c.op != opNe
	switch p.peek() {
	case '"':
		if err := p.parseQuoted(c); err != nil {
			return err
		}
	case '%':
		if err := p.parseRegex(c); err != nil {
			return err
		}
	default:
		end := p.pos
		for end < len(p.src) && (isWordByte(p.src[end]) || strings.IndexByte(".*+-", p.src[end]) >= 0) {
			end++
		}
		if end == p.pos {
			return p.expected(fmt.Sprintf("a value after %q", opText))
		}
		if end < len(p.src) && strings.IndexByte(" \t\r\n)}&|", p.src[end]) < 0 {
			p.pos = end
			return p.errAt(end, "unexpected %s in an unquoted value: values with characters other than letters, digits, _ - . + and * must be double-quoted", p.found())
		}
		text := p.src[p.pos:end]
		p.pos = end
		if isNumber(text) {
			f, err := strconv.ParseFloat(text, 64)
			if err != nil {
				return p.errAt(start, "number %s is out of range", text)
			}
			c.kind, c.text, c.num = kindNumber, text, f
		} else {
			c.glob = strings.Split(text, "*")
		}
	}
	if relational && c.kind != kindNumber {
		found := strconv.Quote(p.src[start:p.pos])
		switch p.src[start] {
		case '"':
			found = "the string " + p.src[start:p.pos]
		case '%':
			found = "the regex " + p.src[start:p.pos]
		}
		return p.errAt(start, "expected a number after %q, found %s", opText, found)
	}
	return nil
}

// isNumber reports whether s is a documented NUMBER: an optional sign, an
// integer or decimal, and an optional exponent with an optional sign.
func isNumber(s string) bool {
	i := 0
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	n := digits()
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else if n == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// parseQuoted parses a double-quoted string into literal parts split at
// unescaped * wildcards.
func (p *parser) parseQuoted(c *condition) error {
	open := p.pos
	var cur strings.Builder
	for p.pos++; ; p.pos++ {
		if p.pos >= len(p.src) {
			return p.errAt(open, "unterminated string")
		}
		ch := p.src[p.pos]
		switch {
		case ch == '"':
			p.pos++
			c.glob = append(c.glob, cur.String())
			return nil
		case ch == '*':
			c.glob = append(c.glob, cur.String())
			cur.Reset()
		case ch == '\\' && p.pos+1 < len(p.src) && strings.IndexByte(`"\*`, p.src[p.pos+1]) >= 0:
			p.pos++
			cur.WriteByte(p.src[p.pos])
		default:
			cur.WriteByte(ch)
		}
	}
}

// parseRegex parses %regex%, allowing only the documented characters.
func (p *parser) parseRegex(c *condition) error {
	open := p.pos
	end := strings.IndexByte(p.src[open+1:], '%')
	if end < 0 {
		return p.errAt(open, `unterminated regex: expected a closing "%%"`)
	}
	body := p.src[open+1 : open+1+end]
	if body == "" {
		return p.errAt(open, "empty regex")
	}
	for i := 0; i < len(body); i++ {
		ch := body[i]
		if ch >= utf8.RuneSelf {
			return p.errAt(open+1+i, "multi-byte characters are not supported in a regex")
		}
		if !isWordByte(ch) && strings.IndexByte(" :#=@/;,-^$?[]{}|\\*+.", ch) < 0 {
			return p.errAt(open+1+i, "character %q is not supported in a regex", ch)
		}
	}
	if p.regexes++; p.regexes > maxPatternRegexes {
		return p.errAt(open, "too many regexes: at most %d are allowed in a pattern", maxPatternRegexes)
	}
	re, err := regexp.Compile(openRange(body))
	if err != nil {
		return p.errAt(open, "invalid regex: %v", err)
	}
	c.kind, c.re = kindRegex, re
	p.pos = open + end + 2
	return nil
}

// openRange rewrites the documented {,n} quantifier as {0,n} for Go's regexp.
func openRange(re string) string {
	var b strings.Builder
	for i := 0; i < len(re); i++ {
		b.WriteByte(re[i])
		switch {
		case re[i] == '\\' && i+1 < len(re):
			i++
			b.WriteByte(re[i])
		case re[i] == '{' && i+1 < len(re) && re[i+1] == ',':
			b.WriteByte('0')
		}
	}
	return b.String()
}
