//go:build !unix

package child

import "os/exec"

// AsUser is a no-op where there are no uids.
func AsUser(*exec.Cmd, int, int) {}
