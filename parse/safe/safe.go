// Package safe starts goroutines that cannot take the process down with a
// panic: every goroutine of edgetriage starts through Go, which recovers,
// reports the panic with its stack, and lets the caller shut down cleanly
// (terminal restored) instead of crashing mid-render.
package safe

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
)

// PanicError is what a recovered panic becomes.
type PanicError struct {
	Name  string // the goroutine's name as given to Go
	Value any
	Stack []byte
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("internal error in %s: %v", e.Name, e.Value)
}

// Group runs named goroutines and collects the first failure. Unlike
// errgroup it also turns panics into errors, and it cancels its context on
// the first failure so the other goroutines end too.
type Group struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	err   error
	onErr func(error)
}

// NewGroup returns a Group whose context is derived from parent. onPanic, if
// not nil, is called (from the failing goroutine) for every recovered panic,
// for example to tell the interface to quit.
func NewGroup(parent context.Context, onPanic func(error)) (*Group, context.Context) {
	ctx, cancel := context.WithCancelCause(parent)
	return &Group{ctx: ctx, cancel: cancel, onErr: onPanic}, ctx
}

// Go runs fn in a new goroutine under the group's context.
func (g *Group) Go(name string, fn func(ctx context.Context) error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		err := Run(name, func() error { return fn(g.ctx) })
		if err == nil {
			return
		}
		var pe *PanicError
		if asPanic(err, &pe) && g.onErr != nil {
			g.onErr(err)
		}
		g.mu.Lock()
		if g.err == nil {
			g.err = err
			g.cancel(err)
		}
		g.mu.Unlock()
	}()
}

// Wait waits for every goroutine and returns the first error.
func (g *Group) Wait() error {
	g.wg.Wait()
	g.cancel(nil)
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.err
}

// Run calls fn and converts a panic into a *PanicError.
func Run(name string, fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Name: name, Value: v, Stack: debug.Stack()}
		}
	}()
	return fn()
}

// Go starts fn in a goroutine; a panic is recovered and passed to report
// (which may be nil) instead of crashing the process.
func Go(name string, fn func(), report func(error)) {
	go func() {
		err := Run(name, func() error { fn(); return nil })
		if err != nil && report != nil {
			report(err)
		}
	}()
}

func asPanic(err error, target **PanicError) bool {
	pe, ok := err.(*PanicError)
	if ok {
		*target = pe
	}
	return ok
}
