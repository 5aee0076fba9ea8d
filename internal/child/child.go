// Package child starts the throw-away servers of the demo and the tests
// (PostgreSQL, redis-server) so that they end with the process that started
// them, even when it is killed (SIGKILL, a CI timeout) and no cleanup runs:
// a demo must never leave a database server running on the user's machine.
package child

import (
	"os/exec"
	"runtime"
)

// Start starts cmd as a child that the kernel signals when this process
// dies (on Linux; elsewhere it is an ordinary child, stopped by cleanup).
func Start(cmd *exec.Cmd) error {
	dieWithParent(cmd)
	// The parent-death signal follows the thread that forks, not the
	// process: fork from a thread that stays alive. A thread unlocked again
	// goes back to the runtime's pool, which does not end threads.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return cmd.Start()
}
