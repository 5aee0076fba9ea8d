//go:build unix

package child

import (
	"os/exec"
	"syscall"
)

// AsUser runs cmd as uid/gid (PostgreSQL refuses to run as root).
func AsUser(cmd *exec.Cmd, uid, gid int) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}
