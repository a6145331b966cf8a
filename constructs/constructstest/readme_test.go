package constructstest_test

import (
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestReadmeExampleIsTheExample keeps README's "Use the constructs in your
// own app" program in step with Example, which go test runs: the README
// block must be gofmt'd Go, and every package function and field it uses
// must appear in Example too.
func TestReadmeExampleIsTheExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := readmeBlock(t, string(readme), "**3. Write `main.go`.**")
	formatted, err := format.Source([]byte(block))
	if err != nil {
		t.Fatalf("README's program does not parse: %v", err)
	}
	if string(formatted) != block {
		t.Errorf("README's program is not gofmt'd")
	}
	example, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	used := selectors(t, block)
	inExample := selectors(t, string(example))
	if len(used) < 10 {
		t.Fatalf("found %d selectors in README's program: %v", len(used), used)
	}
	for _, s := range missing(used, inExample) {
		t.Errorf("README's program uses %s, which Example does not: update example_test.go or README.md together", s)
	}
	// Negative: a README that calls something Example does not is caught.
	drifted := selectors(t, strings.Replace(block, "audittrail.NewTrail(", "audittrail.NewOrganizationTrail(", 1))
	if got := missing(drifted, inExample); len(got) != 1 || got[0] != "audittrail.NewOrganizationTrail" {
		t.Errorf("a drifted README is reported as missing %v", got)
	}
}

// missing are the names of used that example lacks.
func missing(used, example []string) []string {
	var out []string
	for _, s := range used {
		if !slices.Contains(example, s) {
			out = append(out, s)
		}
	}
	return out
}

// readmeBlock is the first ```go block after marker.
func readmeBlock(t *testing.T, readme, marker string) string {
	t.Helper()
	i := strings.Index(readme, marker)
	if i < 0 {
		t.Fatalf("README has no %q", marker)
	}
	j := strings.Index(readme[i:], "```go\n")
	if j < 0 {
		t.Fatalf("no Go block after %q", marker)
	}
	start := i + j + len("```go\n")
	end := strings.Index(readme[start:], "```")
	return readme[start : start+end]
}

// selectors are the pkg.Name expressions of a Go file whose pkg is one of
// this repo's packages (construct packages and policies).
func selectors(t *testing.T, src string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	ours := map[string]bool{}
	for _, imp := range f.Imports {
		path := strings.Trim(imp.Path.Value, `"`)
		if strings.HasPrefix(path, "github.com/secure-baseline/cdk-baseline/") {
			ours[path[strings.LastIndex(path, "/")+1:]] = true
		}
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		if s, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := s.X.(*ast.Ident); ok && ours[id.Name] {
				name := id.Name + "." + s.Sel.Name
				if !slices.Contains(out, name) {
					out = append(out, name)
				}
			}
		}
		return true
	})
	return out
}
