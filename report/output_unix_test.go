//go:build unix

package report

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWriteFileAtomicToDeviceWritesInPlace: -o /dev/stdout or a named pipe
// is written to, never replaced by a regular file.
func TestWriteFileAtomicToDeviceWritesInPlace(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	got := make(chan string)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	if err := WriteFileAtomic(fifo, func(w io.Writer) error { _, err := io.WriteString(w, "report"); return err }); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "report" {
		t.Errorf("read %q from the pipe", s)
	}
	st, err := os.Stat(fifo)
	if err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the named pipe was replaced: %v %v", st.Mode(), err)
	}
	if err := WriteFileAtomic(t.TempDir(), func(io.Writer) error { return nil }); err == nil {
		t.Error("writing over a directory did not fail")
	}
}

// TestWriteFileAtomicToAFIFONobodyReads: the report is not held forever
// waiting for a reader that never comes.
func TestWriteFileAtomicToAFIFONobodyReads(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	start := time.Now()
	err := WriteFileAtomic(fifo, func(w io.Writer) error { _, err := io.WriteString(w, "report"); return err })
	if err == nil || !strings.Contains(err.Error(), "a named pipe that no process reads") {
		t.Errorf("err = %v", err)
	}
	if took := time.Since(start); took > readerWait+2*time.Second {
		t.Errorf("took %v", took)
	}
}

// TestWriteFileAtomicNamesTheUsersPath: a missing directory is said of
// the path the user gave, not of the temporary file beside it.
func TestWriteFileAtomicNamesTheUsersPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "report.json")
	err := WriteFileAtomic(path, func(io.Writer) error { return nil })
	if err == nil || err.Error() != "cannot write "+path+": the directory "+filepath.Dir(path)+" does not exist" {
		t.Errorf("err = %v", err)
	}
	ro := t.TempDir()
	os.Chmod(ro, 0o500)
	defer os.Chmod(ro, 0o700)
	if os.Getuid() != 0 { // root writes anywhere
		err = WriteFileAtomic(filepath.Join(ro, "r.json"), func(io.Writer) error { return nil })
		if err == nil || strings.Contains(err.Error(), ".tmp-") || !strings.Contains(err.Error(), filepath.Join(ro, "r.json")) {
			t.Errorf("read-only directory: %v", err)
		}
	}
	if err := CheckOutput(""); err == nil {
		t.Error("an empty --output passed")
	}
}
