package safe

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestGroupRecoversPanicAndCancelsOthers(t *testing.T) {
	var reported error
	g, _ := NewGroup(context.Background(), func(err error) { reported = err })
	g.Go("waiter", func(ctx context.Context) error {
		<-ctx.Done() // ends only because the panic cancels the group
		return nil
	})
	g.Go("boom", func(ctx context.Context) error {
		var s []int
		_ = s[len(s)] // index out of range: a real runtime panic
		return nil
	})
	err := g.Wait()
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Name != "boom" {
		t.Fatalf("Wait() = %v, want a PanicError from boom", err)
	}
	if reported == nil || !strings.Contains(reported.Error(), "internal error in boom") {
		t.Fatalf("onPanic got %v", reported)
	}
	if len(pe.Stack) == 0 {
		t.Fatal("stack not captured")
	}
}

func TestGroupReturnsFirstError(t *testing.T) {
	g, _ := NewGroup(context.Background(), nil)
	want := errors.New("read failed")
	g.Go("a", func(ctx context.Context) error { return want })
	if err := g.Wait(); !errors.Is(err, want) {
		t.Fatalf("Wait() = %v, want %v", err, want)
	}
}

func TestGoReports(t *testing.T) {
	done := make(chan error, 1)
	Go("x", func() { panic("bad") }, func(err error) { done <- err })
	if err := <-done; err == nil || !strings.Contains(err.Error(), "bad") {
		t.Fatalf("got %v", err)
	}
}
