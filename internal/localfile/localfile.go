// Package localfile opens and reads the files a run is given (a netrc,
// --ca-file, --logs-file, a baseline report) under the run's deadline and
// within a size cap, whatever they turn out to be: a FIFO with no writer,
// /dev/zero, a terminal or a file of gigabytes never hangs a run or eats
// its memory. Open does not block where os.Open would (a FIFO waits for its
// writer only until the context ends) and reads honour the context too.
package localfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// Kind says what a caller accepts besides a regular file.
type Kind int

const (
	// Stream also accepts a FIFO, a pipe (/dev/fd/N, <(...)), a terminal or
	// another device: anything that can be read, read under the deadline.
	Stream Kind = iota
	// Regular accepts a regular file only (through symlinks).
	Regular
)

// TooLargeError is a file over the cap: it was not read past it.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s: not read (heroku-checkup reads at most that)", e.Path, Size(e.Limit))
}

// Size writes a byte count for a message: 1 MiB, 8 MiB, 512 KiB.
func Size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// File is an open file whose reads end when the context does.
type File struct {
	*os.File
	ctx  context.Context
	stop func() bool
}

// Open opens path for reading under ctx. A directory is refused, and
// anything but a regular file when kind is Regular; a FIFO waits for its
// writer until ctx ends.
func Open(ctx context.Context, path string, kind Kind) (*File, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st, err := os.Stat(path) // never blocks, whatever path is
	if err != nil {
		return nil, err
	}
	if err := accept(path, st, kind); err != nil {
		return nil, err
	}
	var f *os.File
	if st.Mode()&fs.ModeNamedPipe != 0 {
		f, err = openFIFO(ctx, path)
	} else {
		f, err = os.Open(path)
	}
	if err != nil {
		return nil, err
	}
	// What was opened may not be what was looked at (a rename between).
	if st, err = f.Stat(); err == nil {
		err = accept(path, st, kind)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	lf := &File{File: f, ctx: ctx}
	// Pipes, FIFOs and terminals are pollable: a deadline ends a read that
	// waits. Regular files return at once anyway (SetReadDeadline fails).
	if dl, ok := ctx.Deadline(); ok {
		f.SetReadDeadline(dl)
	}
	lf.stop = context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Now()) })
	return lf, nil
}

func accept(path string, st fs.FileInfo, kind Kind) error {
	switch {
	case st.IsDir():
		return fmt.Errorf("%s is a directory", path)
	case kind == Regular && !st.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file (%s)", path, describe(st.Mode()))
	}
	return nil
}

func describe(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}

// Read reads under the context: a read the deadline (or an interrupt) cuts
// short returns the context's error.
func (f *File) Read(p []byte) (int, error) {
	if err := f.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := f.File.Read(p)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		if cerr := f.ctx.Err(); cerr != nil {
			err = cerr
		} else {
			err = context.DeadlineExceeded
		}
	}
	return n, err
}

// Close closes the file.
func (f *File) Close() error {
	f.stop()
	return f.File.Close()
}

// ReadAll reads the whole of path under ctx, at most limit bytes: a file
// larger than that is a TooLargeError, read no further.
func ReadAll(ctx context.Context, path string, kind Kind, limit int64) ([]byte, error) {
	f, err := Open(ctx, path, kind)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return b, nil
}

// CheckRegular tells, without opening it, whether path is a regular file
// of at most limit bytes: for files another library reads on its own,
// without a deadline or a cap (Go's TLS reads SSL_CERT_FILE whole).
func CheckRegular(path string, limit int64) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if err := accept(path, st, Regular); err != nil {
		return err
	}
	if st.Size() > limit {
		return &TooLargeError{Path: path, Limit: limit}
	}
	return nil
}
