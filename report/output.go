package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// writeGrace bounds writing the report into a pipe or a device whose reader
// stops reading; readerWait, waiting for a FIFO's reader to open it.
const (
	writeGrace = 30 * time.Second
	readerWait = 3 * time.Second
)

// WriteFileAtomic writes a file through a temporary file in the same
// directory and a rename, so a reader (a monitor, a CI step) sees either the
// previous file or the whole new one, never half of it. When write fails the
// previous file is left untouched.
//
// A path that is not a regular file (/dev/stdout, /dev/null, a named pipe)
// cannot be replaced by a rename, and must not be: it is written in place,
// without waiting for a reader that is not there (a FIFO nobody reads is an
// error at once) and within writeGrace for one that stops reading.
func WriteFileAtomic(path string, write func(io.Writer) error) (err error) {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return fmt.Errorf("cannot write %s: it is a directory", path)
		}
		f, err := openNoWait(path)
		if errors.Is(err, syscall.ENXIO) {
			return fmt.Errorf("cannot write %s: it is a named pipe that no process reads", path)
		}
		if err != nil {
			return cannotWrite(path, err)
		}
		f.SetWriteDeadline(time.Now().Add(writeGrace))
		bw := bufio.NewWriter(f)
		if err := write(bw); err != nil {
			f.Close()
			return err
		}
		if err := bw.Flush(); err != nil {
			f.Close()
			return cannotWrite(path, err)
		}
		return f.Close()
	}
	if err := CheckOutput(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return cannotWrite(path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriter(tmp)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return cannotWrite(path, err)
	}
	if err = tmp.Sync(); err != nil {
		return cannotWrite(path, err)
	}
	// CreateTemp makes the file 0600; a report is not secret (it is redacted),
	// so give it the permissions a plain create would.
	if err = tmp.Chmod(0o644); err != nil {
		return cannotWrite(path, err)
	}
	if err = tmp.Close(); err != nil {
		return cannotWrite(path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return cannotWrite(path, err)
	}
	return nil
}

// openNoWait opens a device or a FIFO for writing without blocking: a FIFO
// with no reader yet (ENXIO) is tried again for readerWait, not forever.
func openNoWait(path string) (*os.File, error) {
	deadline := time.Now().Add(readerWait)
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if !errors.Is(err, syscall.ENXIO) || time.Now().After(deadline) {
			return f, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// CheckOutput tells, before a run starts, whether path can be where its
// report goes: not empty, not a directory, in a directory that exists.
// Messages name the user's path, never the temporary file beside it.
func CheckOutput(path string) error {
	if path == "" {
		return fmt.Errorf("--output needs a file name (-o report.json)")
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("cannot write %s: it is a directory", path)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("cannot write %s: the directory %s does not exist", path, dir)
	case err != nil:
		return cannotWrite(path, err)
	case !st.IsDir():
		return fmt.Errorf("cannot write %s: %s is not a directory", path, dir)
	}
	return nil
}

// cannotWrite names path, not the temporary file an error may be about.
func cannotWrite(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("cannot write %s: %w", path, err)
}
