// Package safe keeps a panic in a goroutine from ending the process: a
// goroutine's panic cannot be recovered anywhere but in it, so each one a
// check starts recovers it and hands it to the goroutine that waits, where
// the runner's recover turns it into the check's CHECK_ERROR finding and
// the command's into one line and exit 3. No panic reaches a user.
package safe

import (
	"fmt"
	"sync"
)

// Group runs functions concurrently, as a sync.WaitGroup does; a panic in
// one is re-raised by Wait in the caller's goroutine.
type Group struct {
	wg    sync.WaitGroup
	mu    sync.Mutex
	panic any
}

// Go runs f in a goroutine of the group.
func (g *Group) Go(f func()) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		defer func() {
			if p := recover(); p != nil {
				g.mu.Lock()
				if g.panic == nil {
					g.panic = p
				}
				g.mu.Unlock()
			}
		}()
		f()
	}()
}

// Wait waits for every function, then re-raises the first panic, if any.
func (g *Group) Wait() {
	g.wg.Wait()
	g.mu.Lock()
	p := g.panic
	g.mu.Unlock()
	if p != nil {
		panic(p)
	}
}

// Error is a recovered panic as an error, for a goroutine no one waits on.
func Error(p any) error { return fmt.Errorf("panic: %v", p) }
