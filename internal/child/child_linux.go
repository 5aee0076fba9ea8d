package child

import (
	"os/exec"
	"syscall"
)

// dieWithParent asks for SIGKILL when this process dies. Go sets it after
// any Credential change, so it also holds for a server run as another user.
func dieWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
