package causes

import (
	"errors"
	"fmt"
	"strings"
	"text/template"
	"text/template/parse"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
)

// Budgets for evaluating one rule's templates and expressions. Rules are
// data a user may get wrong (or a shared file may get wrong on purpose):
// one rule must never hang or flood the program, so each evaluation stops
// past these and the rule is reported as failing (Set.Warnings).
const (
	// templateIterations caps the range iterations of one template
	// execution, nested ranges counted together.
	templateIterations = 10_000
	// templateOutput caps one rendered line.
	templateOutput = 8 << 10
	// exprMemory is the expression VM's memory budget (array and range
	// elements allocated); past it the run fails.
	exprMemory = 100_000
	// exprNodes caps an expression's size at compile time.
	exprNodes = 2_000
	// exprSlow is the run time past which an expression is reported as
	// slow: the VM cannot be stopped, so expressions are kept bounded at
	// compile time (no nested closures, no repeat) and this only reports.
	// A default rule takes microseconds; this is far above what a
	// collector pause or a loaded machine adds.
	exprSlow = 250 * time.Millisecond
)

// templateTime caps one template execution's wall time: the backstop for
// a slow body (the iteration cap stops long loops first). Generous, so that
// a stalled goroutine does not fail a good rule. A variable for tests.
var templateTime = 100 * time.Millisecond

// budgetKey is where a template's data map carries its budget; it is not
// a declared name, so no rule template can refer to it.
const budgetKey = "__budget"

// errBudget is the root of every budget error.
var errBudget = errors.New("over budget")

// budget is one template execution's allowance.
type budget struct {
	deadline time.Time
	ticks    int
}

func (b *budget) reset() {
	b.deadline = time.Now().Add(templateTime)
	b.ticks = 0
}

// tick is called at the start of every range iteration (instrument puts
// the call there); it fails the execution past the budget.
func tick(root any) (string, error) {
	m, ok := root.(map[string]any)
	if !ok {
		return "", fmt.Errorf("%w: the template replaced its root data", errBudget)
	}
	b, ok := m[budgetKey].(*budget)
	if !ok {
		return "", fmt.Errorf("%w: no budget", errBudget)
	}
	b.ticks++
	if b.ticks > templateIterations {
		return "", fmt.Errorf("%w: more than %d loop iterations", errBudget, templateIterations)
	}
	if b.ticks%64 == 0 && time.Now().After(b.deadline) {
		return "", fmt.Errorf("%w: ran longer than %v", errBudget, templateTime)
	}
	return "", nil
}

// tickAction is the parsed {{__tick $}} that instrument copies into every
// range body.
var tickAction = func() *parse.ActionNode {
	t := template.Must(template.New("tick").Funcs(template.FuncMap{"__tick": tick}).Parse("{{__tick $}}"))
	return t.Tree.Root.Nodes[0].(*parse.ActionNode)
}()

// instrument checks a parsed rule template for constructs the budget
// cannot hold (template definitions and calls, which can recurse) and for
// a range over a literal count past the budget, and puts a budget check
// at the start of every range body.
func instrument(t *template.Template) error {
	if len(t.Templates()) > 1 {
		return errors.New("{{define}} and {{block}} are not allowed in rule templates")
	}
	var err error
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		if err != nil || n == nil {
			return
		}
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.TemplateNode:
			err = errors.New("{{template}} is not allowed in rule templates")
		case *parse.IfNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			if c := literalCount(n.Pipe); c > templateIterations {
				err = fmt.Errorf("{{range %d}} is past the budget of %d loop iterations", c, templateIterations)
				return
			}
			walk(n.List)
			walk(n.ElseList)
			n.List.Nodes = append([]parse.Node{tickAction.Copy()}, n.List.Nodes...)
		}
	}
	walk(t.Tree.Root)
	return err
}

// literalCount returns the count of {{range N}} when N is a number
// literal, else -1.
func literalCount(p *parse.PipeNode) int64 {
	if p == nil || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return -1
	}
	if n, ok := p.Cmds[0].Args[0].(*parse.NumberNode); ok && n.IsInt {
		return n.Int64
	}
	return -1
}

// cappedWriter collects a rendered line, failing past templateOutput.
type cappedWriter struct{ strings.Builder }

func (w *cappedWriter) Write(p []byte) (int, error) {
	if w.Len()+len(p) > templateOutput {
		return 0, fmt.Errorf("%w: more than %d bytes of output", errBudget, templateOutput)
	}
	return w.Builder.Write(p)
}

// execute runs t on data under a fresh budget.
func execute(t *template.Template, data map[string]any, w *cappedWriter) error {
	b, ok := data[budgetKey].(*budget)
	if !ok {
		b = &budget{}
		data[budgetKey] = b
	}
	b.reset()
	w.Reset()
	if err := t.Execute(w, data); err != nil {
		return templateError(err)
	}
	return nil
}

// templateError shortens text/template's error ("template: x:1:23:
// executing "x" at <__tick $>: error calling __tick: over budget: ...") to
// its reason.
func templateError(err error) error {
	msg := err.Error()
	if i := strings.LastIndex(msg, "error calling "); i >= 0 {
		if j := strings.Index(msg[i:], ": "); j >= 0 {
			return errors.New(msg[i+j+2:])
		}
	}
	if i := strings.Index(msg, "over budget"); i >= 0 {
		return errors.New(msg[i:])
	}
	if i := strings.LastIndex(msg, ">: "); i >= 0 {
		return errors.New(msg[i+3:])
	}
	return err
}

// exprOptions bound an expression at compile time.
var exprOptions = []expr.Option{expr.MaxNodes(exprNodes), expr.DisableBuiltin("repeat")}

// checkBounded rejects nested closures (all, any, filter, map, ... inside
// another): one level is bounded by the memory budget, two are not.
func checkBounded(node ast.Node) error {
	v := &closureDepth{}
	ast.Walk(&node, v)
	return v.err
}

type closureDepth struct{ err error }

func (v *closureDepth) Visit(n *ast.Node) {
	p, ok := (*n).(*ast.PredicateNode)
	if !ok || v.err != nil {
		return
	}
	inner := &innerPredicate{}
	ast.Walk(&p.Node, inner)
	if inner.found {
		v.err = errors.New("a closure inside a closure (such as all(a, {any(b, {...})})) is not allowed: its run time is not bounded")
	}
}

type innerPredicate struct{ found bool }

func (v *innerPredicate) Visit(n *ast.Node) {
	if _, ok := (*n).(*ast.PredicateNode); ok {
		v.found = true
	}
}
