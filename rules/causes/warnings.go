package causes

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/template"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// Warning is a rule that failed while it was evaluated: an expression that
// failed at run time (a type mismatch, a feature this format lacks), or a
// template past its budget. A failing rule does not fire; it is reported
// once, with the first error, so that it never silently counts as false.
type Warning struct {
	Rule    string `json:"rule"`
	Source  string `json:"source"`            // file:line of the failing expression or template
	Feature string `json:"feature,omitempty"` // the feature the error names, when it names one
	Message string `json:"message"`
}

func (w Warning) String() string {
	s := fmt.Sprintf("%s: rule %s: %s", w.Source, w.Rule, w.Message)
	if w.Feature != "" {
		s += " (feature " + w.Feature + ")"
	}
	return s
}

// warnings collects the first failure of each rule; safe for concurrent
// use (Explain runs on several goroutines).
type warnings struct {
	mu   sync.Mutex
	seen map[string]bool
	list []Warning
}

func (ws *warnings) add(w Warning) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.seen[w.Rule] {
		return
	}
	if ws.seen == nil {
		ws.seen = map[string]bool{}
	}
	ws.seen[w.Rule] = true
	ws.list = append(ws.list, w)
}

// Warnings returns the rules that failed so far, one entry per rule (its
// first error), ordered by source. The report and the interface show them.
func (s *Set) Warnings() []Warning {
	s.warn.mu.Lock()
	out := slices.Clone(s.warn.list)
	s.warn.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out
}

// ruleTemplate is a compiled evidence or fix template and where it was
// written.
type ruleTemplate struct {
	t      *template.Template
	source string // file:line
}

// ruleExpr is a compiled expression per kind, where it was written, and
// the names it reads (to say which feature an error involves).
type ruleExpr struct {
	progs  map[string]*vm.Program // by kind
	source string
	names  []nameAt
}

type nameAt struct {
	name     string
	from, to int
}

// exprNames lists the identifiers an expression reads, with their place.
func exprNames(node ast.Node) []nameAt {
	v := &nameVisitor{}
	ast.Walk(&node, v)
	return v.names
}

type nameVisitor struct{ names []nameAt }

func (v *nameVisitor) Visit(n *ast.Node) {
	if id, ok := (*n).(*ast.IdentifierNode); ok {
		loc := id.Location()
		v.names = append(v.names, nameAt{id.Value, loc.From, loc.To})
	}
}

// featureOf names the feature a run-time error involves: an identifier
// the error message quotes, else the one at (or nearest before) the
// error's place, else the only one the expression reads.
func (e *ruleExpr) featureOf(err error) string {
	msg := firstLine(err) // the rest is a snippet of the source
	if strings.Contains(msg, "memory budget") {
		return "" // the expression's size, not a feature
	}
	for _, n := range e.names {
		if strings.Contains(msg, n.name) {
			return n.name
		}
	}
	var fe *file.Error
	if errors.As(err, &fe) {
		for _, n := range e.names {
			if n.from >= fe.From && n.from < fe.To {
				return n.name // inside the failing operation
			}
		}
		best, bestFrom := "", -1
		for _, n := range e.names {
			if n.from <= fe.From && n.from > bestFrom {
				best, bestFrom = n.name, n.from
			}
		}
		if best != "" {
			return best
		}
		for _, n := range e.names {
			if n.from >= fe.To {
				return n.name // an argument of the failing call: int(origin)
			}
		}
	}
	return ""
}

// firstLine is an error's first line (expr adds a source snippet).
func firstLine(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return msg
}
