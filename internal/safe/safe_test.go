package safe

import (
	"strings"
	"testing"
)

func TestPanicIsRaisedInWait(t *testing.T) {
	var g Group
	ran := make(chan struct{}, 1)
	g.Go(func() { panic("in a lookup") })
	g.Go(func() { ran <- struct{}{} })
	defer func() {
		p := recover()
		if p != "in a lookup" {
			t.Errorf("Wait raised %v", p)
		}
		select {
		case <-ran:
		default:
			t.Error("the other function did not run to its end before Wait returned")
		}
	}()
	g.Wait()
	t.Error("Wait returned without the panic")
}

func TestNoPanicNoRaise(t *testing.T) {
	var g Group
	n := 0
	g.Go(func() { n++ })
	g.Wait()
	if n != 1 {
		t.Error("not run")
	}
	if err := Error("x"); !strings.Contains(err.Error(), "panic: x") {
		t.Error(err)
	}
}
