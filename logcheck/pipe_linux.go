package logcheck

import (
	"os"
	"syscall"
)

// fSetPipeSz is F_SETPIPE_SZ (Linux 2.6.35+).
const fSetPipeSz = 1031

// growPipe asks for a 1 MiB pipe buffer when stdin is a pipe: a log piped
// in (heroku logs | ..., zcat | ...) then arrives in large reads instead of
// 64 KiB ones. Failure changes nothing.
func growPipe(r any) {
	f, ok := r.(*os.File)
	if !ok {
		return
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		return
	}
	syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), fSetPipeSz, 1<<20)
}
