//go:build unix

package localfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func fifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFIFOWithoutWriterEndsAtTheDeadline: open(2) of a FIFO nobody writes
// to blocks forever; here it costs the deadline and no more.
func TestFIFOWithoutWriterEndsAtTheDeadline(t *testing.T) {
	p := fifo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := ReadAll(ctx, p, Stream, 1<<20)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no writer") {
		t.Errorf("err = %v, want the deadline and 'no writer'", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v", took)
	}
	// A Regular-only reader refuses it before opening.
	if _, err := ReadAll(context.Background(), p, Regular, 1<<20); err == nil || !strings.Contains(err.Error(), "not a regular file (a named pipe)") {
		t.Errorf("Regular: %v", err)
	}
}

// TestFIFOWriterThatNeverWritesEndsAtTheDeadline: the writer opens, then
// holds the pipe without a byte: the read ends with the deadline.
func TestFIFOWriterThatNeverWritesEndsAtTheDeadline(t *testing.T) {
	p := fifo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	go func() {
		w, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err == nil {
			time.Sleep(2 * time.Second)
			w.Close()
		}
	}()
	_, err := ReadAll(ctx, p, Stream, 1<<20)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the deadline", err)
	}
}

func TestFIFOWithWriterIsRead(t *testing.T) {
	p := fifo(t)
	go func() {
		w, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err == nil {
			w.WriteString("machine api.heroku.com password x\n")
			w.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := ReadAll(ctx, p, Stream, 1<<20)
	if err != nil || string(b) != "machine api.heroku.com password x\n" {
		t.Errorf("%q %v", b, err)
	}
}

// TestCancelEndsARead: an interrupt (the context cancelled) ends a read
// that waits, as the deadline does.
func TestCancelEndsARead(t *testing.T) {
	p := fifo(t)
	go func() {
		w, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err == nil {
			time.Sleep(3 * time.Second)
			w.Close()
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	f, err := Open(ctx, p, Stream)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = f.Read(make([]byte, 10))
	if !errors.Is(err, context.Canceled) || time.Since(start) > 2*time.Second {
		t.Errorf("err = %v after %v, want context.Canceled at once", err, time.Since(start))
	}
}

func TestDevZeroIsCapped(t *testing.T) {
	_, err := ReadAll(context.Background(), "/dev/zero", Stream, 64<<10)
	var tl *TooLargeError
	if !errors.As(err, &tl) || !strings.Contains(err.Error(), "larger than 64 KiB") {
		t.Errorf("err = %v", err)
	}
	if _, err := ReadAll(context.Background(), "/dev/zero", Regular, 64<<10); err == nil || !strings.Contains(err.Error(), "a character device") {
		t.Errorf("Regular: %v", err)
	}
}

func TestRegularFiles(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, 100<<10), 0o644)
	if _, err := ReadAll(context.Background(), big, Regular, 64<<10); err == nil {
		t.Error("a file over the cap was read")
	}
	if err := CheckRegular(big, 64<<10); err == nil {
		t.Error("CheckRegular passed a file over the cap")
	}
	if err := CheckRegular(big, 1<<20); err != nil {
		t.Error(err)
	}
	if _, err := ReadAll(context.Background(), dir, Stream, 1<<20); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory: %v", err)
	}
	if err := CheckRegular("/dev/null", 1<<20); err == nil {
		t.Error("CheckRegular passed /dev/null")
	}
	b, err := ReadAll(context.Background(), "/dev/null", Stream, 1<<20)
	if err != nil || len(b) != 0 {
		t.Errorf("/dev/null: %q %v", b, err)
	}
}
