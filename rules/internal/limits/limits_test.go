// Package limits holds the repository's size limits as a test: no non-test
// Go file over 600 lines and no function over 100 (issue 14), so that every
// file reads on a screen or two and every function has one job. It reads
// the whole module's source from the module root; it has no code of its own.
package limits

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	maxFileLines = 600
	maxFuncLines = 100
)

// pending are the known excesses waiting for their cut, each with why it
// is not cut yet. An entry that is no longer over fails the test: remove it.
var pending = map[string]string{}

// TestSizeLimits fails for every non-test Go file over maxFileLines lines
// and every function or method (of any file but tests) over maxFuncLines,
// counting from the func keyword to the closing brace.
func TestSizeLimits(t *testing.T) {
	root := moduleRoot(t)
	over, err := oversized(root)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, o := range over {
		if why, ok := pending[o.key]; ok {
			seen[o.key] = true
			t.Logf("%s (pending: %s)", o, why)
			continue
		}
		t.Error(o)
	}
	for k := range pending {
		if !seen[k] {
			t.Errorf("%s is within the limits now: remove it from pending", k)
		}
	}
}

// excess is one file or function over its limit.
type excess struct {
	key   string // "path" or "path: func Name"
	lines int
	limit int
}

func (x excess) String() string {
	return fmt.Sprintf("%s is %d lines (limit %d)", x.key, x.lines, x.limit)
}

// moduleRoot is the directory of go.mod above the test's directory.
func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = up
	}
}

// oversized lists the files and functions over the limits under root, in
// walk order.
func oversized(root string) ([]excess, error) {
	var over []excess
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("parse %s: %w", path, err)
		}
		rel, _ := filepath.Rel(root, path)
		if n := fset.File(f.Pos()).LineCount(); n > maxFileLines {
			over = append(over, excess{filepath.ToSlash(rel), n, maxFileLines})
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
			if n > maxFuncLines {
				over = append(over, excess{filepath.ToSlash(rel) + ": func " + funcName(fn), n, maxFuncLines})
			}
		}
		return nil
	})
	return over, err
}

// funcName is Recv.Name for methods, Name for functions.
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	typ := fn.Recv.List[0].Type
	if s, ok := typ.(*ast.StarExpr); ok {
		typ = s.X
	}
	if ix, ok := typ.(*ast.IndexExpr); ok {
		typ = ix.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return id.Name + "." + fn.Name.Name
	}
	return fn.Name.Name
}

// The check itself: a file one line over and a function one line over are
// reported, test files and a function at the limit are not.
func TestOversizedFindsExcess(t *testing.T) {
	dir := t.TempDir()
	body := func(n int) string { // a function of n lines
		return "func f() {\n" + strings.Repeat("\t_ = 0\n", n-2) + "}\n"
	}
	files := map[string]string{
		"long.go":      "package p\n" + strings.Repeat("\n", maxFileLines), // 601 lines
		"fn.go":        "package p\n\n" + body(maxFuncLines+1),
		"ok.go":        "package p\n\n" + body(maxFuncLines),
		"long_test.go": "package p\n\n" + body(maxFuncLines+50),
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	over, err := oversized(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(over)
	want := "[fn.go: func f is 101 lines (limit 100) long.go is 601 lines (limit 600)]"
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
