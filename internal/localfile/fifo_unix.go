//go:build unix

package localfile

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"
)

// openFIFO opens a FIFO, which blocks in open(2) until a writer opens it
// too: in a goroutine, given up when ctx ends. The abandoned open is then
// released by opening the FIFO for writing, without blocking, and closing
// it at once; what it opens is closed.
func openFIFO(ctx context.Context, path string) (*os.File, error) {
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.Open(path)
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		return o.f, o.err
	case <-ctx.Done():
	}
	for range 50 {
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		select {
		case o := <-ch:
			if o.f != nil {
				o.f.Close()
			}
			return nil, fmt.Errorf("%s is a named pipe that no writer opened before the deadline: %w", path, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	go func() {
		if o := <-ch; o.f != nil {
			o.f.Close()
		}
	}()
	return nil, fmt.Errorf("%s is a named pipe that no writer opened before the deadline: %w", path, ctx.Err())
}
